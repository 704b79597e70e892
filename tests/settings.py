"""Test settings: the project's, plus a probe app holding tiny flows for engine tests.

A Celery worker subprocess started by an integration test uses these too.
"""

from project.settings import *  # noqa: F403
from project.settings import INSTALLED_APPS

INSTALLED_APPS = [*INSTALLED_APPS, "tests.probe"]
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
