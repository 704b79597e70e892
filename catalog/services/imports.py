"""Spreadsheet import jobs: the upload is kept as a job, checked (catalog.excel) and written all or nothing."""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import timedelta
from typing import IO

from django.conf import settings
from django.db import OperationalError, connection, transaction
from django.db.models import Q
from django.utils import timezone

from catalog import excel
from catalog.excel import ImportResult, Progress
from catalog.import_limits import declared_size
from catalog.models import DataItem, DataResource, ImportJob, ResourceStatus
from catalog.permissions import can_import, reviews_catalog
from catalog.services.base import CatalogError
from notifications import recipients as who
from organizations.models import Department
from workflows.audit import record_event, record_events

logger = logging.getLogger(__name__)

# What the job's page shows while and after it runs.
MSG_JOB_STARTED = "开始处理"
MSG_JOB_DONE = "导入完成"
MSG_JOB_CRASHED = "处理出错，未导入任何数据：{error}"
MSG_JOB_ERRORS = "发现 {count} 个错误，未导入任何数据"
MSG_JOB_STALE = "处理已中断（处理进程超过 {minutes} 分钟没有进展，可能已被终止），未导入任何数据"

_UNFINISHED = ImportJob.objects.exclude(status__in=[ImportJob.Status.SUCCEEDED, ImportJob.Status.FAILED])

MSG_IMPORT_NOT_ALLOWED = "只有部门目录编制人员或政数局可以导入资源目录。"


def import_job_create(*, actor, upload, submit_after: bool = False, ip: str | None = None):
    """Store the upload as an ImportJob row first, so nothing is lost if a worker dies."""
    if not can_import(actor):
        raise CatalogError(MSG_IMPORT_NOT_ALLOWED)
    with transaction.atomic():
        job = ImportJob(
            created_by=actor,
            # The bureau imports for any department; department staff only for their own.
            department=None if reviews_catalog(actor) else actor.department,
            submit_after=submit_after,
            original_name=getattr(upload, "name", "import.xlsx")[:200],
        )
        job.file.save(job.original_name, upload, save=False)
        job.save()
        record_event(subject=job, action="catalog.import_uploaded", actor=actor, comment=job.original_name, ip=ip)
    return job


def import_job_start(job) -> None:
    """A workbook that declares itself small (inflated bytes, and rows when its sheets declare their
    dimensions) is checked and written now, so its page shows the outcome at once; so is one beyond the
    limits, which is refused before reading. A larger one goes to a worker once the job row has committed.
    The file's own size says nothing: a 224 KB file may inflate to 1.5 million rows."""
    with job.file.open("rb") as handle:
        inline = declared_size(handle).runs_inline
    if inline:
        import_job_run(job.pk)
    else:
        from catalog.tasks import run_import_job  # the task module imports this one

        transaction.on_commit(lambda: run_import_job.delay(job.pk))


def import_job_run(job_id: int):
    """Check and write one uploaded file. Idempotent: a finished job is left as it is.

    Progress is committed as the check goes, outside the write transaction, so the page
    polling the job sees it; each progress renews the job's heartbeat (import_jobs_fail_stale).
    The write and the job's “succeeded” happen in one transaction. A second worker running the
    same job does not undo the first one's outcome: whichever finishes first decides, and a job
    failed as stale meanwhile stays failed, with nothing written.
    """
    job = ImportJob.objects.select_related("created_by", "department").get(pk=job_id)
    if job.is_finished:
        return job
    _UNFINISHED.filter(pk=job.pk).update(
        status=ImportJob.Status.RUNNING, progress=1, message=MSG_JOB_STARTED, heartbeat_at=timezone.now()
    )

    def progress(percent: int, message: str) -> None:
        _beat(job.pk, progress=min(percent, 99), message=message)

    def mark_done(result) -> None:
        locked = ImportJob.objects.select_for_update().get(pk=job.pk)
        if locked.is_finished:
            # Another worker finished the same job first, or it was failed as stale: undo our copy.
            raise _JobGone
        locked.status = ImportJob.Status.SUCCEEDED
        locked.progress = 100
        locked.message = MSG_JOB_DONE
        locked.resources_created = result.resources_created
        locked.items_created = result.items_created
        locked.finished_at = timezone.now()
        locked.save()
        record_event(
            subject=locked,
            action="catalog.import_succeeded",
            actor=job.created_by,
            comment=f"新增资源 {result.resources_created} 个、信息项 {result.items_created} 个",
        )
        if job.submit_after:
            _announce_imported_submissions(locked, result.resources_created)

    try:
        with job.file.open("rb") as handle:
            result = import_workbook(
                handle,
                actor=job.created_by,
                department=job.department,
                submit_after=job.submit_after,
                progress=progress,
                on_success=mark_done,
                origin=f"表格导入：导入任务 #{job.pk}（{job.original_name}）",
            )
    except _JobGone:
        return ImportJob.objects.get(pk=job.pk)
    except OperationalError:
        raise  # the database is away: the task retries
    except Exception as exc:
        # Nothing was written (the write is one transaction); the page must not poll forever.
        logger.exception("Import job %s failed", job.pk)
        _UNFINISHED.filter(pk=job.pk).update(
            status=ImportJob.Status.FAILED,
            progress=100,
            message=MSG_JOB_CRASHED.format(error=exc)[:200],
            finished_at=timezone.now(),
        )
        return ImportJob.objects.get(pk=job.pk)
    if not result.ok:
        with transaction.atomic():
            locked = ImportJob.objects.select_for_update().get(pk=job.pk)
            if locked.is_finished:
                # Another worker ran the same job and imported it meanwhile (these errors are its rows,
                # found), or the job was failed as stale: its outcome stands.
                return locked
            ImportJob.objects.filter(pk=job.pk).update(
                status=ImportJob.Status.FAILED,
                progress=100,
                message=MSG_JOB_ERRORS.format(count=result.error_count),
                errors=result.errors,
                finished_at=timezone.now(),
            )
            record_event(
                subject=job,
                action="catalog.import_failed",
                actor=job.created_by,
                comment=f"{result.error_count} 个错误",
            )
    return ImportJob.objects.get(pk=job.pk)


def _beat(job_pk: int, **fields) -> None:
    """Commit progress and renew the heartbeat; stop reading when the job is no longer ours to run."""
    renewed = ImportJob.objects.filter(pk=job_pk, status=ImportJob.Status.RUNNING).update(
        heartbeat_at=timezone.now(), **fields
    )
    if not renewed:
        raise _JobGone


class _JobGone(Exception):
    """The job finished meanwhile: imported by another worker, or failed as stale."""


# --- jobs whose process died ---------------------------------------------------------------------


def _stale_before():
    return timezone.now() - timedelta(seconds=settings.CATALOG_IMPORT_HEARTBEAT_TIMEOUT)


def _stale(queryset, cutoff):
    """Running jobs silent since `cutoff` (one started before heartbeats were kept counts from its creation)."""
    return queryset.filter(status=ImportJob.Status.RUNNING).filter(
        Q(heartbeat_at__lt=cutoff) | Q(heartbeat_at=None, created_at__lt=cutoff)
    )


def import_job_fail_if_stale(*, obj):
    """The job, failed with its message when its process died (no heartbeat for the timeout); as it was otherwise.

    Called when its page is opened; import_jobs_fail_stale does the same for every job, from the beat.
    """
    cutoff = _stale_before()
    if obj.status != ImportJob.Status.RUNNING or (obj.heartbeat_at or obj.created_at) >= cutoff:
        return obj  # no query for a live job polled every second
    minutes = max(settings.CATALOG_IMPORT_HEARTBEAT_TIMEOUT // 60, 1)
    with transaction.atomic():
        # One conditional UPDATE: a heartbeat renewed meanwhile, or another worker's outcome, wins.
        failed = _stale(ImportJob.objects.filter(pk=obj.pk), cutoff).update(
            status=ImportJob.Status.FAILED,
            progress=100,
            message=MSG_JOB_STALE.format(minutes=minutes),
            finished_at=timezone.now(),
        )
        job = ImportJob.objects.get(pk=obj.pk)
        if failed:
            record_event(
                subject=job,
                action="catalog.import_abandoned",
                from_state=ImportJob.Status.RUNNING,
                to_state=ImportJob.Status.FAILED,
                comment=job.message,
            )
    return job


def import_jobs_fail_stale() -> int:
    """Fail every running job whose process died; the number failed (the beat task)."""
    failed = 0
    for job in list(_stale(ImportJob.objects.all(), _stale_before())):
        failed += import_job_fail_if_stale(obj=job).failed
    return failed


def _announce_imported_submissions(job, count: int) -> None:
    """One notice per import, not one per resource: an import may submit thousands of entries."""
    from django.urls import reverse

    from notifications.services import notify

    submitter = job.department.name if job.department else job.created_by.get_full_name() or job.created_by.username
    notify(
        recipients=who.data_bureau(),
        event="catalog_review_requested",
        subject=job,
        context={
            "heading": f"表格导入的 {count} 个资源",
            "message": f"{submitter}通过表格导入提交了 {count} 个资源目录（导入任务 #{job.pk}），请在注册审核中逐个审核。",
            "link": reverse("catalog:review"),
        },
    )


# --- the write ---------------------------------------------------------------------------------


def import_workbook(
    source: IO[bytes] | str,
    *,
    actor,
    department: Department | None,
    submit_after: bool = False,
    progress: Progress = excel.no_progress,
    on_success: Callable[[ImportResult], None] | None = None,
    origin: str = "表格导入",
) -> ImportResult:
    """Check the whole file (catalog.excel), then write all of it in one transaction, or nothing.

    `department` limits rows to that provider department (None: any, for the data bureau).
    `on_success` runs inside the write transaction, so a job row can be marked done atomically.
    Each resource's audit trail starts with an event saying it was imported, commented with `origin`
    (which import job), and one saying it was submitted when `submit_after`.
    """
    checked = excel.check_workbook(source, department=department, progress=progress)
    result = checked.result
    if not result.ok:
        return result
    items = checked.items
    progress(75, "正在写入")
    now = timezone.now()
    status = ResourceStatus.SUBMITTED if submit_after else ResourceStatus.DRAFT
    with transaction.atomic():
        batch = []
        for resource in checked.resources:
            # A fresh instance so the protected FSM field is set once, at construction.
            fields = {
                f.attname: getattr(resource, f.attname)
                for f in DataResource._meta.concrete_fields
                if f.attname not in ("id", "status")
            }
            fields.update(created_by_id=actor.pk, created_at=now, updated_at=now)
            if submit_after:
                fields["submitted_at"] = now
            batch.append(DataResource(status=status, **fields))
        checked.resources = []  # memory stays flat: the instances are not needed any more
        created = DataResource.objects.bulk_create(batch, batch_size=1000)
        ids = {r.code: r.pk for r in created}
        if any(pk is None for pk in ids.values()):  # a backend that cannot return ids
            ids = dict(DataResource.objects.filter(code__in=list(ids)).values_list("code", "pk"))
        del batch, created
        total = len(items)
        # Plain executemany: Django's bulk_create spends more time preparing 100,000 model
        # instances than the database spends inserting them. Same SQL on SQLite and PostgreSQL.
        table = connection.ops.quote_name(DataItem._meta.db_table)
        columns = [
            "resource_id",
            "position",
            "name",
            "data_type",
            "length",
            "precision",
            "description",
            "security_level",
        ]
        sql = (
            f"INSERT INTO {table} ({', '.join(connection.ops.quote_name(c) for c in columns)}) "
            f"VALUES ({', '.join(['%s'] * len(columns))})"
        )
        with connection.cursor() as cursor:
            for start in range(0, total, 5000):
                cursor.executemany(
                    sql,
                    [
                        (
                            ids[i.code],
                            i.position,
                            i.name,
                            i.data_type,
                            i.length,
                            i.precision,
                            i.description,
                            i.security_level,
                        )
                        for i in items[start : start + 5000]
                    ],
                )
        result.resources_created = len(ids)
        result.items_created = total
        if on_success:
            on_success(result)
        # Last: the audit chain's lock is held until commit, and after the rows on_success locks (the job).
        _record_import_events(list(ids.values()), actor=actor, submit_after=submit_after, origin=origin)
    return result


def _record_import_events(resource_ids: list[int], *, actor, submit_after: bool, origin: str) -> None:
    """What resource_create and resource_submit record, for every imported resource (in bulk: B4)."""
    events = {"model": DataResource, "subject_ids": resource_ids, "actor": actor, "comment": origin}
    record_events(action="catalog.resource_imported", to_state=ResourceStatus.DRAFT, **events)
    if submit_after:
        record_events(
            action="catalog.resource_submitted",
            from_state=ResourceStatus.DRAFT,
            to_state=ResourceStatus.SUBMITTED,
            **events,
        )
