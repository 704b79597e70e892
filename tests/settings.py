"""Test settings: the project's, plus a probe app holding tiny flows for engine tests.

A Celery worker subprocess started by an integration test uses these too.
"""

import os

# The project defaults to production (DEBUG off, SECRET_KEY required); the tests run as a
# developer's machine does. Set before the import, so a worker subprocess inherits them too.
os.environ.setdefault("DEBUG", "1")

from project.settings import *  # noqa: E402, F403
from project.settings import INSTALLED_APPS  # noqa: E402

INSTALLED_APPS = [*INSTALLED_APPS, "tests.probe"]
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
