from functools import partial

import pytest
from django.core.management import CommandError, call_command
from django.db import DatabaseError, connection, transaction

from organizations.models import Department
from tests.races import run_concurrently
from workflows.audit import event_payload, record_event, record_events, verify_chain
from workflows.hashing import chain_hash
from workflows.management.commands.verify_audit import BAD_ANCHOR, EMPTY
from workflows.models import GENESIS_HASH, AppendOnlyError, AuditEvent


@pytest.fixture
def events(gongan, gongan_applicant):
    return [
        record_event(subject=gongan, action="test.first", actor=gongan_applicant, to_state="draft"),
        record_event(subject=gongan, action="test.second", from_state="draft", to_state="submitted", ip="10.1.2.3"),
        record_event(subject=gongan, action="test.third", comment="同意共享"),
    ]


def test_it_chains_each_event_to_the_one_before(events):
    assert events[0].prev_hash == GENESIS_HASH
    assert events[1].prev_hash == events[0].hash
    assert events[2].prev_hash == events[1].hash
    assert len({event.hash for event in events}) == 3
    assert verify_chain() == (3, None)


def test_it_records_who_did_what_to_which_subject(events, gongan, gongan_applicant):
    event = AuditEvent.objects.get(pk=events[1].pk)
    assert event.subject == gongan
    assert (event.action, event.from_state, event.to_state, event.ip) == (
        "test.second",
        "draft",
        "submitted",
        "10.1.2.3",
    )
    assert AuditEvent.objects.get(pk=events[0].pk).actor == gongan_applicant


def test_it_refuses_update_and_delete_through_the_orm(events):
    event = AuditEvent.objects.get(pk=events[0].pk)
    event.comment = "改写"
    with pytest.raises(AppendOnlyError):
        event.save()
    with pytest.raises(AppendOnlyError):
        event.delete()
    with pytest.raises(AppendOnlyError):
        AuditEvent.objects.filter(pk=event.pk).update(comment="改写")
    with pytest.raises(AppendOnlyError):
        AuditEvent.objects.all().delete()
    assert AuditEvent.objects.get(pk=event.pk).comment == ""


def test_it_leaves_no_event_when_the_decision_rolls_back(gongan):
    with pytest.raises(RuntimeError), transaction.atomic():
        record_event(subject=gongan, action="test.rolled_back")
        raise RuntimeError("the decision failed")
    assert not AuditEvent.objects.exists()


def _tamper(sql: str, params: list) -> None:
    """Change a row behind the application's back, as a DBA with raw SQL could."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # A superuser can switch user triggers off for the session.
            cursor.execute("SET session_replication_role = replica")
        cursor.execute(sql, params)
        if connection.vendor == "postgresql":
            cursor.execute("SET session_replication_role = DEFAULT")


def test_verify_audit_reports_ok_with_the_count(events, capsys):
    call_command("verify_audit")
    assert "OK: 已核验审计事件 3 条，哈希链完整\n" in capsys.readouterr().out


def test_verify_audit_notices_events_deleted_from_the_end_against_an_anchor(events, capsys):
    call_command("verify_audit")
    assert f"head: #{events[2].pk} {events[2].hash}" in capsys.readouterr().out

    _tamper("DELETE FROM workflows_auditevent WHERE id = %s", [events[2].pk])

    assert verify_chain() == (2, None)  # what is left still links up
    with pytest.raises(CommandError) as error:
        call_command("verify_audit", anchor=events[2].hash)
    assert error.value.returncode == 1
    assert str(error.value) == (
        f"BROKEN: 锚点事件（哈希 {events[2].hash}）已不在链中：链尾的事件被删除，或链条被改写（已核验 2 条事件）"
    )
    with pytest.raises(CommandError) as error:
        call_command("verify_audit", anchor=f"#{events[2].pk} {events[2].hash}")
    assert str(error.value).startswith(f"BROKEN: 锚点事件 #{events[2].pk}（哈希 {events[2].hash}）已不在链中")
    call_command("verify_audit", anchor=events[1].hash)  # an older anchor is still there


def test_verify_audit_takes_the_head_as_it_prints_it(events, capsys):
    call_command("verify_audit")
    printed = capsys.readouterr().out.splitlines()[-1]
    head = printed.removeprefix("head: ")
    for anchor in (printed, head, f"  {head}\n", events[2].hash, events[2].hash.upper()):
        call_command("verify_audit", anchor=anchor)
    with pytest.raises(CommandError) as error:  # the id names another event than the hash: nothing was deleted
        call_command("verify_audit", anchor=f"#{events[1].pk} {events[2].hash}")
    assert error.value.returncode == 2
    assert str(error.value) == (
        f"锚点不匹配：哈希 {events[2].hash} 属于事件 #{events[2].pk}，而链中 #{events[1].pk} 的哈希是 {events[1].hash}。"
        "请传入 verify_audit 同一次打印的“head: #<编号> <哈希>”。"
    )


@pytest.mark.parametrize(
    "anchor", ["", "   ", "2e9f0c1d2b3a", "nothex", "g" * 64, "a" * 63, "#12", "#x " + "a" * 64, "a" * 64 + " trailing"]
)
def test_verify_audit_refuses_what_is_not_an_anchor_as_a_usage_error(events, anchor):
    with pytest.raises(CommandError) as error:
        call_command("verify_audit", anchor=anchor)
    assert error.value.returncode == 2
    assert str(error.value) == BAD_ANCHOR
    assert "BROKEN" not in str(error.value)


def test_verify_audit_names_a_row_changed_behind_its_back(events, capsys):
    _tamper("UPDATE workflows_auditevent SET comment = %s WHERE id = %s", ["不同意", events[1].pk])
    with pytest.raises(CommandError) as error:
        call_command("verify_audit")
    expected = f"BROKEN: 审计事件 #{events[1].pk}：事件内容与其哈希不符（记录被篡改）（其前 1 条事件核验无误）"
    assert error.value.returncode == 1
    assert str(error.value) == expected
    assert capsys.readouterr().out == expected + "\n"  # the verdict is the command's output (README)


def test_verify_audit_fails_on_an_empty_chain(db, capsys):
    assert not AuditEvent.objects.exists()
    with pytest.raises(CommandError) as error:
        call_command("verify_audit")
    assert error.value.returncode == 1
    assert str(error.value) == EMPTY and EMPTY.startswith("BROKEN: ")
    assert capsys.readouterr().out == EMPTY + "\n"


def test_verify_audit_accepts_an_empty_chain_when_asked(db, capsys):
    call_command("verify_audit", allow_empty=True)
    assert capsys.readouterr().out == "OK: 已核验审计事件 0 条，哈希链完整\n"


def test_verify_audit_allow_empty_still_checks_a_chain_that_has_events(events):
    _tamper("UPDATE workflows_auditevent SET comment = %s WHERE id = %s", ["不同意", events[0].pk])
    with pytest.raises(CommandError) as error:
        call_command("verify_audit", allow_empty=True)
    assert str(error.value).startswith(f"BROKEN: 审计事件 #{events[0].pk}")


def test_verify_audit_names_the_successor_of_a_deleted_row(events):
    _tamper("DELETE FROM workflows_auditevent WHERE id = %s", [events[1].pk])
    count, broken = verify_chain()
    assert count == 1
    assert broken.event_id == events[2].pk


def test_verify_audit_catches_a_changed_state(events):
    _tamper("UPDATE workflows_auditevent SET to_state = %s WHERE id = %s", ["granted", events[0].pk])
    count, broken = verify_chain()
    assert (count, broken.event_id) == (0, events[0].pk)


@pytest.mark.postgres
def test_it_is_refused_by_the_database_trigger_on_postgres(events):
    for sql in ("UPDATE workflows_auditevent SET comment = 'x'", "DELETE FROM workflows_auditevent"):
        with pytest.raises(DatabaseError, match="append-only"), transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(sql)
    assert AuditEvent.objects.count() == 3


@pytest.mark.postgres
@pytest.mark.parametrize(
    "sql",
    [
        "TRUNCATE workflows_auditevent",
        "TRUNCATE TABLE ONLY workflows_auditevent RESTART IDENTITY",
        # Emptied as a side effect of truncating a table its rows refer to (the actor).
        "TRUNCATE organizations_user CASCADE",
    ],
)
@pytest.mark.django_db(transaction=True)  # committed events: nothing else (pending FK checks) stops the TRUNCATE
def test_truncate_is_refused_by_the_database_on_postgres(sql, gongan_applicant):
    department = Department.objects.create(code="TH-T", name="市截断局", short_name="通截", seal_text="通化市截断局")
    for n in range(3):
        record_event(subject=department, action=f"test.event{n}", actor=gongan_applicant)
    with pytest.raises(DatabaseError, match="append-only: TRUNCATE refused"), transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute(sql)
    assert AuditEvent.objects.count() == 3
    call_command("verify_audit")


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_the_projects_flush_still_resets_a_database_as_a_superuser(gongan):
    """Test teardown and `manage.py flush` go through workflows' flush, which skips the trigger."""
    record_event(subject=gongan, action="test.before_flush")
    call_command("flush", interactive=False, verbosity=0)
    assert not AuditEvent.objects.exists()
    with connection.cursor() as cursor:
        cursor.execute("SHOW session_replication_role")
        assert cursor.fetchone()[0] == "origin"  # only for the flush's own statements


@pytest.mark.django_db(transaction=True)
def test_it_never_forks_the_chain_under_concurrent_writers():
    department = Department.objects.create(code="TH-X", name="市并发局", short_name="通并", seal_text="通化市并发局")
    writers, per_writer = 8, 15

    def write(n: int) -> None:
        for i in range(per_writer):
            with transaction.atomic():
                record_event(subject=department, action=f"test.writer{n}", comment=str(i))

    outcomes = run_concurrently(*(partial(write, n) for n in range(writers)))
    errors = [outcome for outcome in outcomes if isinstance(outcome, Exception)]

    assert errors == []
    assert AuditEvent.objects.count() == writers * per_writer
    assert verify_chain() == (writers * per_writer, None)
    assert AuditEvent.objects.values("prev_hash").distinct().count() == writers * per_writer


def test_it_appends_many_events_at_once_on_the_same_chain(events, gongan, gongan_applicant):
    departments = [Department.objects.create(code=f"TH-B{n}", name=f"市批量{n}局") for n in range(3)]
    count = record_events(
        model=Department,
        subject_ids=[d.pk for d in departments],
        action="test.bulk",
        actor=gongan_applicant,
        from_state="draft",
        to_state="submitted",
        comment="批量",
    )
    after = record_event(subject=gongan, action="test.after")
    bulk = list(AuditEvent.objects.filter(action="test.bulk").order_by("id"))
    assert count == 3 and [e.subject for e in bulk] == departments
    assert bulk[0].prev_hash == events[-1].hash and after.prev_hash == bulk[-1].hash
    assert {(e.actor, e.from_state, e.to_state, e.comment) for e in bulk} == {
        (gongan_applicant, "draft", "submitted", "批量")
    }
    assert verify_chain() == (7, None)
    assert record_events(model=Department, subject_ids=[], action="test.none") == 0


@pytest.mark.django_db(transaction=True)
def test_bulk_and_single_writers_never_fork_the_chain():
    department = Department.objects.create(code="TH-X", name="市并发局", short_name="通并", seal_text="通化市并发局")
    writers, rounds, batch = 6, 5, 40

    def write(n: int) -> None:
        for i in range(rounds):
            with transaction.atomic():
                if n % 2:
                    record_events(
                        model=Department, subject_ids=[department.pk] * batch, action=f"test.bulk{n}", comment=str(i)
                    )
                else:
                    record_event(subject=department, action=f"test.single{n}", comment=str(i))

    outcomes = run_concurrently(*(partial(write, n) for n in range(writers)))
    errors = [outcome for outcome in outcomes if isinstance(outcome, Exception)]

    expected = (writers // 2) * rounds * (batch + 1)
    assert errors == []
    assert AuditEvent.objects.count() == expected
    assert verify_chain() == (expected, None)
    # Each bulk write is one unbroken run of the chain.
    positions = {}
    for position, key in enumerate(AuditEvent.objects.order_by("id").values_list("action", "comment")):
        positions.setdefault(key, []).append(position)
    bulk_runs = [p for (action, _), p in positions.items() if "bulk" in action]
    assert len(bulk_runs) == (writers // 2) * rounds
    assert all(run == list(range(run[0], run[0] + batch)) for run in bulk_runs)


def test_verify_audit_notices_a_chain_rewritten_from_the_anchor_with_recomputed_hashes(events):
    rewritten = chain_hash(events[2].prev_hash, {**event_payload(events[2]), "comment": "同意（改写）"})
    _tamper(
        "UPDATE workflows_auditevent SET comment = %s, hash = %s WHERE id = %s",
        ["同意（改写）", rewritten, events[2].pk],
    )
    assert verify_chain() == (3, None)  # rewritten with its hash recomputed: the chain alone cannot tell
    with pytest.raises(CommandError) as error:
        call_command("verify_audit", anchor=f"#{events[2].pk} {events[2].hash}")
    assert error.value.returncode == 1
    assert str(error.value).startswith(
        f"BROKEN: 锚点事件 #{events[2].pk} 的哈希已不是 {events[2].hash}，库中为 {rewritten}：该事件及其后的链条被改写"
    )
