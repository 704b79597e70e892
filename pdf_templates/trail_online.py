"""`verify_trail --online`: a downloaded trail against this govshare's database.

Offline, a trail can only be shown to agree with itself: whoever rewrites a snapshot, the manifest and an
event's hash together, or drops an event from a gap in the chain, leaves nothing inconsistent behind. The
database (whose own chain `verify_audit` checks) says what was issued and recorded.
"""

from __future__ import annotations

from django.contrib.contenttypes.models import ContentType
from django.utils.dateparse import parse_datetime

from organizations.models import User
from pdf_templates.models import Record
from pdf_templates.selectors import records_of_subject, records_visible_to, sees_all_records
from pdf_templates.trail import TrailReport, events_visible_to, trail_events
from workflows.labels import action_label
from workflows.models import AuditEvent

BATCH = 500


def verify_against_database(manifest: dict, rows: list[dict], report: TrailReport) -> None:
    _compare_events(rows, report)
    _compare_records(manifest.get("records", []), report)
    _find_missing(manifest, rows, report)


def _compare_events(rows: list[dict], report: TrailReport) -> None:
    ids = [row["id"] for row in rows]
    stored: dict[int, str] = {}
    for start in range(0, len(ids), BATCH):
        stored.update(AuditEvent.objects.filter(pk__in=ids[start : start + BATCH]).values_list("pk", "hash"))
    for row in rows:
        if row["id"] not in stored:
            report.failures.append(f"审计事件 #{row['id']}：数据库中没有该事件（伪造的事件）")
        elif stored[row["id"]] != row["hash"]:
            report.failures.append(f"审计事件 #{row['id']}：与数据库中的同号事件不符（被修改）")


def _compare_records(entries: list[dict], report: TrailReport) -> None:
    codes = [entry["verification_code"] for entry in entries]
    stored = {record.verification_code: record for record in Record.objects.filter(verification_code__in=codes)}
    for entry in entries:
        record = stored.get(entry["verification_code"])
        if record is None or record.number != entry["number"]:
            report.failures.append(f"{entry['number']}：数据库中没有这件文书（核验码 {entry['verification_code']}）")
        elif record.data_sha256 != entry["data_sha256"]:
            report.failures.append(f"{entry['number']}：数据哈希与数据库中的文书不符（快照被修改）")
        elif entry.get("pdf") and record.pdf_sha256 != entry["pdf_sha256"]:
            report.failures.append(f"{entry['number']}：PDF 哈希与数据库中的文书不符（PDF 被修改）")


def _find_missing(manifest: dict, rows: list[dict], report: TrailReport) -> None:
    """The records and events the same user's download would have held when the trail was made."""
    user = User.objects.filter(username=manifest.get("generated_by") or "").first()
    if user is None:
        # Whose view to rebuild is unknown: nothing could be shown complete.
        report.failures.append(f"manifest.json：下载人“{manifest.get('generated_by')}”不是本系统用户（清单被修改）")
        return
    generated_at = parse_datetime(str(manifest.get("generated_at") or ""))
    subject = manifest.get("subject") if isinstance(manifest.get("subject"), dict) else None
    listed = {entry["number"] for entry in manifest.get("records", [])}
    records = Record.objects.filter(number__in=listed)
    if subject and user is not None:
        app_label, _, model = str(subject.get("type", "")).partition(".")
        content_type = ContentType.objects.filter(app_label=app_label, model=model).first()
        if content_type is not None:
            records = records_of_subject(records_visible_to(user), content_type.pk, str(subject.get("id")))
            if not (records.exists() or sees_all_records(user)):  # as TrailDownloadView answers 404
                report.failures.append(
                    f"manifest.json：下载人“{user.username}”无权下载该对象的轨迹，不可能是其下载的（清单被修改）"
                )
                return
            if generated_at is not None:
                records = records.filter(issued_at__lte=generated_at)
            for number in sorted(set(records.values_list("number", flat=True)) - listed):
                report.failures.append(f"{number}：数据库中有这件文书，轨迹中没有（被删除）")
            if not records.exists():
                events = AuditEvent.objects.filter(subject_type=content_type, subject_id=str(subject.get("id")))
                _report_missing_events(events, generated_at, rows, report)
                return
    _report_missing_events(trail_events(records), generated_at, rows, report, events_visible_to(user, records))


def _report_missing_events(events, generated_at, rows, report: TrailReport, visible=lambda event: True) -> None:
    if generated_at is not None:
        events = events.filter(created_at__lte=generated_at)
    present = {row["id"] for row in rows}
    for event in filter(visible, events.iterator(chunk_size=2000)):
        if event.pk not in present:
            report.failures.append(
                f"审计事件 #{event.pk}（{action_label(event.action)}）：数据库中有，轨迹中没有（被删除）"
            )
