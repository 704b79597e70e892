import pytest

from project.celery import app


@pytest.fixture(autouse=True)
def eager_celery(request):
    """Tasks queued after commit run inline against the locmem mail backend.

    Integration tests talk to a real broker and worker instead.
    """
    if request.node.get_closest_marker("integration"):
        yield
        return
    app.conf.task_always_eager = True
    try:
        yield
    finally:
        app.conf.task_always_eager = False


@pytest.fixture
def selectable_test_event(monkeypatch):
    """Lets tests set channel preferences on the internal test event, which users cannot choose."""
    import dataclasses

    from notifications import events

    monkeypatch.setitem(events.EVENTS, "test", dataclasses.replace(events.get("test"), user_selectable=True))
