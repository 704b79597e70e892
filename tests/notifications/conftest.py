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
