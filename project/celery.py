"""The one Celery app. Configured from Django settings with the CELERY_ namespace."""

import os

from celery import Celery
from kombu.transport import TRANSPORT_ALIASES

# filesystem:// (the embedded default) is kombu's transport writing each message atomically (project.broker).
TRANSPORT_ALIASES["filesystem"] = "project.broker:Transport"

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "project.settings")

app = Celery("govshare")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
