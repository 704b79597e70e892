"""Reads: which records a user may see, and the auditor's filters."""

from __future__ import annotations

import datetime as dt

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db.models import Q, QuerySet

from organizations.roles import Role
from organizations.selectors import acts_with_role
from pdf_templates.models import Record
from workflows import visibility


def sees_all_records(user) -> bool:
    """Auditors and the data bureau, and whoever stands in for one of them today."""
    return user.is_authenticated and acts_with_role(user, Role.AUDITOR, Role.DATA_BUREAU)


def sees_subject(user, subject) -> bool:
    """Whether `user` may open a record's subject and its history: what the subject's own page decides, as its
    app registered it (workflows.visibility). Not the addressee of a record about it (财政局 and a project)."""
    return visibility.can_view(user, subject)


def sees_department(user, department) -> bool:
    """A department as a subject (records about a department): its own staff, and those who see every record."""
    return sees_all_records(user) or (user.department_id is not None and user.department_id == department.pk)


def sees_person(user, person) -> bool:
    """A user as a subject (the substitutes they named): themselves, and those who see every record."""
    return user.pk == person.pk or sees_all_records(user)


def sees_record(user, record: Record) -> bool:
    """A record as a subject (its records.rendered events): whoever may open it (records_visible_to)."""
    return records_visible_to(user).filter(pk=record.pk).exists()


def subject_of(subject_type_id: int, subject_id: str):
    """The subject a (content type, id) pair names, or None: a missing row, an id of the wrong kind."""
    model = ContentType.objects.get_for_id(subject_type_id).model_class()
    if model is None:
        return None
    try:
        return model._default_manager.filter(pk=subject_id).first()
    except (ValueError, TypeError, ValidationError):
        return None


def records_visible_to(user) -> QuerySet[Record]:
    """Auditors and the data bureau see every record; a department sees what it issued or is party to."""
    records = Record.objects.select_related("issuer")
    if not user.is_authenticated:
        return records.none()
    if sees_all_records(user):
        return records
    if user.department_id is None:
        return records.none()
    return records.filter(Q(issuer_id=user.department_id) | Q(departments=user.department_id)).distinct()


def filter_records(
    records: QuerySet[Record],
    *,
    issuer_id: int | None = None,
    type: str | None = None,
    date_from: dt.date | None = None,
    date_to: dt.date | None = None,
) -> QuerySet[Record]:
    if issuer_id:
        records = records.filter(issuer_id=issuer_id)
    if type:
        records = records.filter(type=type)
    if date_from:
        records = records.filter(issued_at__date__gte=date_from)
    if date_to:
        records = records.filter(issued_at__date__lte=date_to)
    return records


def records_of_subject(records: QuerySet[Record], subject_type_id: int, subject_id: str) -> QuerySet[Record]:
    return records.filter(subject_type_id=subject_type_id, subject_id=subject_id)
