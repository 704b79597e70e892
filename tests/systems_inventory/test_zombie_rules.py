"""The zombie rules, each with evidence that fires it and evidence that does not (plain functions, no database)."""

import datetime as dt

import pytest

from systems_inventory.zombie_rules import Context, SystemEvidence, Thresholds, evaluate, is_candidate, suppressed
from systems_inventory.zombie_rules import rules as r

TODAY = dt.date(2026, 3, 2)
THRESHOLDS = Thresholds(idle_days=180, daily_silence_days=30, platform_silence_days=90)


def system(**overrides) -> SystemEvidence:
    """A healthy system: weekly use, used last week, connected with a call yesterday, producing one resource."""
    values = {
        "id": 1,
        "name": "房屋网签备案系统",
        "department_id": 10,
        "department": "市住建局",
        "category_id": 100,
        "category_name": "登记类",
        "usage_frequency": "weekly",
        "user_count": 40,
        "connected": True,
        "interface_count": 2,
        "is_classified": False,
        "registered_on": dt.date(2020, 1, 1),
        "last_activity": TODAY - dt.timedelta(days=7),
        "last_source": "operations",
        "last_platform_call": TODAY - dt.timedelta(days=1),
        "resources": ["220500-ZJ-00001"],
    }
    values.update(overrides)
    return SystemEvidence(**values)


def context(*peers: SystemEvidence) -> Context:
    by_category: dict[int, list[SystemEvidence]] = {}
    for peer in peers:
        by_category.setdefault(peer.category_id, []).append(peer)
    return Context(today=TODAY, thresholds=THRESHOLDS, peers=by_category)


def codes(evidence: SystemEvidence, ctx: Context | None = None) -> list[str]:
    return [finding.code for finding in evaluate(evidence, ctx or context(evidence))]


def test_a_healthy_system_fires_nothing():
    assert codes(system()) == []


# --- idle -------------------------------------------------------------------------------------------


def test_idle_fires_after_the_threshold_naming_the_last_use_and_its_source():
    last = TODAY - dt.timedelta(days=180)
    (finding,) = [f for f in evaluate(system(last_activity=last), context()) if f.code == "idle"]
    assert finding.evidence == {
        "last_activity": "2025-09-03",
        "last_activity_source": "运维上报",
        "registered_on": "2020-01-01",
        "days_without_use": 180,
        "threshold_days": 180,
    }
    assert finding.text == "最近一次使用为2025-09-03（运维上报），已 180 天无使用（阈值 180 天）"
    assert finding.key == {"last_activity": "2025-09-03", "registered_on": "2020-01-01"}
    assert finding.name == "长期无使用" and "关停“僵尸”系统" in finding.clause


def test_idle_does_not_fire_a_day_before_the_threshold():
    assert "idle" not in codes(system(last_activity=TODAY - dt.timedelta(days=179)))


def test_idle_counts_from_registration_when_nothing_was_ever_reported():
    never = system(last_activity=None, last_source="", registered_on=TODAY - dt.timedelta(days=400))
    (finding,) = [f for f in evaluate(never, context()) if f.code == "idle"]
    assert finding.text.startswith("无任何使用记录，登记于2025-01-26")
    assert "idle" not in codes(system(last_activity=None, registered_on=TODAY - dt.timedelta(days=20)))


def test_idle_follows_the_threshold_setting():
    ctx = Context(today=TODAY, thresholds=Thresholds(90, 30, 90))
    assert "idle" in codes(system(last_activity=TODAY - dt.timedelta(days=100)), ctx)


# --- declared stopped or no users ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("frequency", "users", "text"),
    [
        ("stopped", 12, "自查填报使用频度为“已停用”"),
        ("monthly", 0, "填报用户数为 0"),
        ("stopped", 0, "自查填报使用频度为“已停用”，填报用户数为 0"),
    ],
)
def test_declared_stopped_fires_on_the_self_report(frequency, users, text):
    (finding,) = [
        f
        for f in evaluate(system(usage_frequency=frequency, user_count=users), context())
        if f.code == "declared_stopped"
    ]
    assert finding.text == text


@pytest.mark.parametrize("users", [1, None])
def test_declared_stopped_does_not_fire_on_a_system_in_use_or_an_unknown_count(users):
    assert "declared_stopped" not in codes(system(user_count=users))


# --- self-report contradicted -------------------------------------------------------------------------


def test_daily_use_contradicted_after_thirty_silent_days():
    evidence = system(usage_frequency="daily", last_activity=TODAY - dt.timedelta(days=30))
    (finding,) = [f for f in evaluate(evidence, context()) if f.code == "frequency_contradicted"]
    assert finding.evidence["usage_frequency"] == "每日" and finding.evidence["days_without_use"] == 30
    assert finding.text.startswith("自查填报“每日”使用，但最近一次使用为2026-01-31（运维上报）")


def test_daily_use_not_contradicted_by_recent_use_nor_claimed_by_a_weekly_system():
    assert "frequency_contradicted" not in codes(
        system(usage_frequency="daily", last_activity=TODAY - dt.timedelta(days=29))
    )
    assert "frequency_contradicted" not in codes(
        system(usage_frequency="weekly", last_activity=TODAY - dt.timedelta(days=60))
    )


def test_connection_contradicted_without_calls_nor_a_registered_resource():
    evidence = system(last_platform_call=None, resources=[])
    (finding,) = [f for f in evaluate(evidence, context()) if f.code == "connection_contradicted"]
    assert finding.evidence["last_platform_call"] is None and finding.evidence["registered_resources"] == 0
    assert "共享平台无任何调用记录" in finding.text
    stale = system(last_platform_call=TODAY - dt.timedelta(days=90), resources=[])
    assert "connection_contradicted" in codes(stale)


@pytest.mark.parametrize(
    "overrides",
    [
        {"last_platform_call": TODAY - dt.timedelta(days=89), "resources": []},  # called recently
        {"last_platform_call": None, "resources": ["220500-ZJ-00001"]},  # produces a registered resource
        {"connected": False, "last_platform_call": None, "resources": []},  # never said it was connected
    ],
)
def test_connection_not_contradicted(overrides):
    assert "connection_contradicted" not in codes(system(**overrides))


# --- not connected while producing catalog data ------------------------------------------------------------


def test_not_connected_while_producing_registered_resources():
    evidence = system(connected=False, interface_count=0, resources=["220500-ZJ-00002", "220500-ZJ-00001"])
    (finding,) = [f for f in evaluate(evidence, context()) if f.code == "not_connected_producing"]
    assert finding.evidence == {
        "connected": False,
        "resources": ["220500-ZJ-00001", "220500-ZJ-00002"],
        "resource_count": 2,
    }


@pytest.mark.parametrize(
    "overrides",
    [{"connected": True}, {"connected": False, "resources": []}, {"connected": False, "is_classified": True}],
)
def test_not_connected_does_not_fire_when_connected_producing_nothing_or_classified(overrides):
    assert "not_connected_producing" not in codes(system(**overrides))


# --- duplicate function: a warning only ------------------------------------------------------------------


def test_duplicate_function_names_the_peers_of_the_same_category_and_is_a_warning_only():
    one = system()
    other = system(id=2, name="不动产登记系统", department="市自然资源局")
    elsewhere = system(id=3, category_id=200, name="档案系统")
    findings = evaluate(one, context(one, other, elsewhere))
    assert [f.code for f in findings] == ["duplicate_function"]
    assert findings[0].evidence == {
        "category": "登记类",
        "peer_count": 1,
        "peers": [{"id": 2, "name": "不动产登记系统", "department": "市自然资源局"}],
    }
    assert not is_candidate(findings)
    assert codes(elsewhere, context(one, other, elsewhere)) == []


# --- dismissal: the same evidence does not flag again ---------------------------------------------------


def test_a_dismissal_covers_the_same_evidence_on_a_later_day_but_not_new_evidence():
    idle = system(last_activity=dt.date(2025, 6, 30), usage_frequency="monthly")
    dismissed = r.keys([f.as_dict() for f in evaluate(idle, context())])

    later = Context(today=TODAY + dt.timedelta(days=40), thresholds=THRESHOLDS)
    assert suppressed(evaluate(idle, later), dismissed)  # more days, same last use
    used_again_then_idle = system(last_activity=dt.date(2025, 8, 31), usage_frequency="monthly")
    assert not suppressed(evaluate(used_again_then_idle, later), dismissed)
    now_declared_stopped = system(last_activity=dt.date(2025, 6, 30), usage_frequency="stopped")
    assert not suppressed(evaluate(now_declared_stopped, later), dismissed)
