"""The embedded runtime's filesystem broker (project.broker)."""

from queue import Empty

import pytest
from kombu import Connection
from kombu.transport import filesystem

from project import broker

MESSAGE = {"task": "pdf_templates.tasks.render_record_task", "args": [193]}


@pytest.fixture
def channel(tmp_path):
    folders = {"data_folder_in": tmp_path, "data_folder_out": tmp_path, "processed_folder": tmp_path}
    with Connection("filesystem://", transport_options=folders) as connection:  # project.celery names our transport
        yield connection.channel()


def test_a_worker_never_reads_a_message_still_being_written(channel, monkeypatch):
    """kombu's own transport writes in place: a worker polling meanwhile read half a message and exited."""
    offered_while_writing = []

    def dumps(payload):  # the writer is between creating the file and writing it: the worker polls now
        try:
            offered_while_writing.append(channel._get("celery"))
        except Empty:
            pass
        return filesystem.dumps(payload)

    monkeypatch.setattr(broker, "dumps", dumps)
    channel._put("celery", MESSAGE)

    assert offered_while_writing == []
    assert channel._get("celery") == MESSAGE
    with pytest.raises(Empty):
        channel._get("celery")
