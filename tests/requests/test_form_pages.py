"""Every form page of every app renders its forms through workflows.forms, walked as the users walk them.

Each persona starts on its 工作台 (the public on /verify/ and the login page) and follows the links it is
shown, up to a dozen pages per view, over the demo-like world of tests/requests/test_home_panels.py. On every page
each field must sit inside a form drawn by the mechanism (data-govshare-form); across the walk, every form
class of every app (tests/workflows/test_forms_look.py finds them) must have been drawn on some page.
"""

from __future__ import annotations

import datetime as dt
import html
import re
from collections import Counter, deque
from html.parser import HTMLParser

import pytest
from django.test import Client
from django.urls import Resolver404, resolve
from django.utils.timezone import localdate as frozen_today

from catalog.services import demand_create, source_designate
from dashboard.services import bulletin_draft
from requests.services.scenarios import scenario_authorize, scenario_part_confirm
from systems_inventory import services as self_check
from tests.factories import UserFactory
from tests.project_approvals.helpers import walk_world
from tests.requests.helpers import client_for, make_application
from tests.requests.scenario_helpers import part_of, propose
from tests.requests.test_home_panels import build
from tests.systems_inventory.helpers import make_system
from tests.workflows.test_forms_look import our_form_classes
from workflows import forms as form_look

pytestmark = pytest.mark.usefixtures("frozen")

PAGES_PER_VIEW = 12
# What a walk never opens: files to download, the admin, the API, leaving the site, and its language.
SKIPPED_VIEWS = re.compile(r"(pdf|trail|attachment|export|template|status)$|^(admin|api|logout|set_language)")
CONTROLS = {"select", "textarea"}


class Fields(HTMLParser):
    """The fields of a page that are not inside a form drawn by the mechanism."""

    def __init__(self):
        super().__init__()
        self.stack: list[bool] = []  # per open element: inside a mechanism's form
        self.stray: list[str] = []

    VOID = {"input", "br", "img", "meta", "link", "hr", "source", "col", "area", "base", "wbr", "path"}

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        inside = bool(self.stack and self.stack[-1]) or "data-govshare-form" in attrs
        is_control = (
            tag in CONTROLS
            or tag.startswith("vf-field-")
            or (tag == "input" and attrs.get("type") not in ("hidden", "submit", "button"))
        )
        if is_control and not inside:
            self.stray.append(f"<{tag} name={attrs.get('name')}>")
        if tag not in self.VOID:
            self.stack.append(inside)

    def handle_endtag(self, tag):
        if tag not in self.VOID and self.stack:
            self.stack.pop()


def stray_fields(page: str) -> list[str]:
    parser = Fields()
    parser.feed(page)
    return parser.stray


def walk(client: Client, starts: list[str]) -> list[tuple[str, str]]:
    """(path, html) of the pages reachable from `starts` by the links they show, PAGES_PER_VIEW per view."""
    queue, seen, per_view, pages = deque(starts), set(starts), Counter(), []
    while queue:
        path = queue.popleft()
        try:
            view = resolve(path.split("?")[0]).view_name
        except Resolver404:
            continue
        if SKIPPED_VIEWS.search(view.split(":")[-1]) or SKIPPED_VIEWS.search(view) or per_view[view] >= PAGES_PER_VIEW:
            continue
        per_view[view] += 1
        response = client.get(path)
        if response.status_code != 200 or not response["Content-Type"].startswith("text/html"):
            continue
        page = response.content.decode()
        pages.append((path, page))
        for link in re.findall(r'href="(/[^"#]*)"', page):
            link = html.unescape(link)
            if link not in seen and not link.startswith(("/static/", "/admin/", "/api/", "/accounts/logout")):
                seen.add(link)
                queue.append(link)
    return pages


def scenarios(coordinator, consumer, reviewer, housing, open_resource) -> None:
    """One in provider review (the provider's answer forms, its 修改 and its tasks' 转交), one its provider
    confirmed (the bureau's), and one authorized that nears its end (续期)."""
    propose(coordinator, [consumer], [part_of(housing)], name="房产核验")
    confirmed = propose(coordinator, [consumer], [part_of(open_resource)], name="企业登记核验")
    ending = propose(
        coordinator, [consumer], [part_of(open_resource)], name="企业年报核验", valid_to=dt.date(2026, 5, 31)
    )
    for scenario in (confirmed, ending):
        for each in scenario.parts.all():
            scenario_part_confirm(actor=reviewer, obj=each, items=list(each.items.all()))
    scenario_authorize(actor=coordinator, obj=ending)


def self_check_reports(coordinator, *, filling, submitted_by, reviewed) -> None:
    """A self-check: the report of `filling`'s department filled in, with a register system to retire; the one
    `submitted_by` sent to its leader; the `reviewed` department's before the bureau."""
    make_system(filling.department, name="户籍管理系统")
    clerk = UserFactory(username="sj_selfcheck", department=reviewed, roles=["applicant"])
    head = UserFactory(username="sj_head", department=reviewed, roles=["dept_leader"])
    data = {"title": "2026年信息系统建设自查", "due_workdays": 10, "covers_all": False}
    departments = [filling.department, submitted_by.department, reviewed]
    draft = self_check.campaign_create(actor=coordinator, data=data, departments=departments)
    reports = {
        report.department_id: report
        for report in self_check.campaign_launch(actor=coordinator, obj=draft).reports.all()
    }
    self_check.report_start(actor=filling, obj=reports[filling.department_id])
    for by in (submitted_by, clerk):
        self_check.report_declare(actor=by, obj=reports[by.department_id], no_self_built=True)
        self_check.report_submit(actor=by, obj=reports[by.department_id])
    self_check.report_confirm(actor=head, obj=reports[reviewed.pk])


def shutdown_cases(coordinator, clerk) -> None:
    """Systems of `clerk`'s department at each step of the shutdown chain: asked to retire (the bureau's decision),
    in the objection window (the department's answer), objected (the bureau's decision), disposing (the stores and
    their dispositions) and verifying (the bureau's verification)."""
    archive = {
        "method": "archive",
        "row_count": 10,
        "archive_location": "档案库",
        "archive_format": "CSV",
        "manifest_sha256": "a" * 64,
        "retention": "30y",
    }
    asked = make_system(clerk.department, name="旧版门户")
    self_check.case_request(actor=clerk, system=asked, reason="已由新版门户替代。")
    cases = []
    for name in ("旧版预约系统", "旧版统计系统", "旧版档案系统", "旧版审批系统"):
        record = self_check.system_propose(
            actor=coordinator, system=make_system(clerk.department, name=name), kind="shutdown", reason="长期无人使用。"
        )
        cases.append(record.subject)
    _, objected, disposing, verifying = cases
    self_check.case_object(actor=clerk, obj=objected, reasons="仍在使用。")
    for case in (disposing, verifying):
        self_check.case_accept(actor=clerk, obj=case)
    store = verifying.system.data_stores.get()
    self_check.disposition_record(actor=clerk, obj=verifying, store=store, values=archive)
    self_check.dispositions_submit(actor=clerk, obj=verifying)


@pytest.fixture
def world(
    frozen,
    gongan_applicant,
    zhujian_reviewer,
    zhujian_leader,
    zhujian_clerk,
    coordinator,
    shenji,
    housing_resource,
    open_resource,
):
    """The 工作台's world, and what shows the forms it lacks: unconditional data in review (the class dispute),
    a 情况通报 draft (the bureau's text form),
    a data demand to link (the bureau's), an authoritative source, scenarios before their provider and the
    bureau, a self-check and a shutdown case at each of their steps, and construction projects at each step a form is
    drawn at."""
    made = build(
        frozen,
        applicant=gongan_applicant,
        reviewer=zhujian_reviewer,
        leader=zhujian_leader,
        clerk=zhujian_clerk,
        housing=housing_resource,
        open_resource=open_resource,
    )
    level3 = open_resource.items.create(name="法定代表人手机号", data_type="C", length=11, security_level=3)
    made["unconditional"] = make_application(gongan_applicant, open_resource, items=[level3])
    demand = {"data_name": "不动产权证书", "business_matter": "户口迁移", "purpose": "fewer_materials"}
    made["demand"] = demand_create(
        actor=gongan_applicant, data={**demand, "share_method": "verify_api", "update_frequency": "daily"}
    )
    item = housing_resource.current_items().first()
    source_designate(actor=coordinator, item=item, datum=item.name, aliases=[f"{item.name}（旧称）"])
    scenarios(coordinator, gongan_applicant.department, zhujian_reviewer, housing_resource, open_resource)
    self_check_reports(coordinator, filling=gongan_applicant, submitted_by=zhujian_clerk, reviewed=shenji)
    shutdown_cases(coordinator, zhujian_clerk)
    made["projects"] = walk_world(coordinator, zhujian_clerk, zhujian_leader, gongan_applicant)
    today = frozen_today()
    made["bulletin"] = bulletin_draft(actor=coordinator, period_start=today.replace(day=1), period_end=today)
    return made


def test_every_form_of_every_app_is_drawn_by_the_mechanism_on_its_pages(
    world,
    monkeypatch,
    gongan_applicant,
    zhujian_reviewer,
    zhujian_colleague,
    zhujian_leader,
    zhujian_clerk,
    coordinator,
    auditor,
):
    drawn: set[type] = set()
    render_fields = form_look.render_fields

    def recording(form):
        drawn.update(type(form).mro())  # a model formset draws a subclass of its form
        return render_fields(form)

    monkeypatch.setattr(form_look, "render_fields", recording)
    people = [gongan_applicant, zhujian_reviewer, zhujian_leader, zhujian_clerk, coordinator, auditor]
    people += [world["projects"]["approver"], world["projects"]["finance"]]
    walks = [walk(client_for(person), ["/home/"]) for person in people]
    walks.append(walk(Client(), ["/verify/", "/accounts/login/"]))
    strays = {path: found for pages in walks for path, page in pages if (found := stray_fields(page))}
    assert strays == {}, "a field drawn outside {{ form }} (workflows.forms)"
    assert sum(len(pages) for pages in walks) > 60
    missing = {f"{klass.__module__}.{klass.__qualname__}" for klass in our_form_classes() if klass not in drawn}
    assert missing == set(), "no page walked draws these forms: give the world what shows them"
