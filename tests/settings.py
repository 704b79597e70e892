"""Test settings: the project's, plus a probe app holding tiny flows for engine tests.

A Celery worker subprocess started by an integration test uses these too.
"""

import os
from pathlib import Path

# The project defaults to production (DEBUG off, SECRET_KEY required); the tests run as a
# developer's machine does. Set before the import, so a worker subprocess inherits them too.
os.environ.setdefault("DEBUG", "1")

# Under pytest-xdist each worker gets its own var/ (SQLite test database, broker folders, media),
# and its Celery worker subprocesses inherit it with the environment.
_worker = os.environ.get("PYTEST_XDIST_WORKER")
if _worker and os.environ.get("GOVSHARE_TEST_VAR_WORKER") != _worker:
    _var = Path(os.environ.get("GOVSHARE_VAR_DIR") or Path(__file__).resolve().parent.parent / "var")
    os.environ["GOVSHARE_VAR_DIR"] = str(_var / "test-workers" / _worker)
    os.environ["GOVSHARE_TEST_VAR_WORKER"] = _worker

from project.settings import *  # noqa: E402, F403
from project.settings import INSTALLED_APPS  # noqa: E402

INSTALLED_APPS = [*INSTALLED_APPS, "tests.probe"]
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
# Each test process its own cache, whatever CACHE_URL says: a test that clears the cache must not empty a
# Redis database other xdist workers share.
CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
# Records are unsigned unless a test configures a pair: a demo pair that one test's load_demo left under
# the worker's var/ would sign every record the later tests render.
RECORDS_SIGNING_DEMO_DIR = None
