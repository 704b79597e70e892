"""How the dashboard's audit events and states read, and its notice type."""

from __future__ import annotations

from dashboard.models import BulletinState
from pdf_templates.models import RecordType
from workflows import labels

ACTIONS = {
    "dashboard.bulletin_drafted": "起草情况通报",
    "dashboard.bulletin_edited": "修改情况通报",
    "dashboard.bulletin_issued": "印发情况通报",
    "dashboard.weights_set": "设定考核权重",
}


def register() -> None:
    from notifications.events import register as register_event

    labels.register(
        actions=ACTIONS,
        states={"dashboard.bulletin": {**dict(BulletinState.choices), **dict(RecordType.choices)}},
    )
    register_event("bulletin_issued", "情况通报印发")
