"""The 工作台's engine: the panel registry other apps fill, and the menu that names the page once."""

import pytest
from django.urls import reverse

from workflows import home
from workflows.home import Figure, Panel, Row
from workflows.selectors import CappedCount


@pytest.fixture
def registry(monkeypatch):
    """An empty registry for the test: the apps' own panels are left out."""
    monkeypatch.setattr(home, "_SOURCES", {})
    return home


def test_panels_come_in_their_order_and_only_for_whom_they_concern(registry, db):
    registry.register("b", lambda user: Panel("b", "乙"), order=20)
    registry.register("a", lambda user: Panel("a", "甲"), order=10)
    registry.register("none", lambda user: None, order=5)
    assert [panel.key for panel in registry.panels_for(object())] == ["a", "b"]
    registry.register("a", lambda user: Panel("a2", "甲二"), order=30)  # a key registered again is replaced
    assert [panel.key for panel in registry.panels_for(object())] == ["b", "a2"]


def test_a_later_app_adds_its_panel_and_the_page_shows_it(registry, client, zhujian_reviewer):
    # As project approvals will for finance's gate queue, from its AppConfig.ready().
    registry.register(
        "gates",
        lambda user: Panel(
            "gates",
            "资金闸口",
            figures=[Figure("gates-waiting", "待核验", CappedCount(101, 100), "/somewhere/", alert=True)],
            rows=[Row("XM0001 政务云扩容", "/somewhere/1/", detail="市财政局", note="待补充自查报告")],
        ),
    )
    client.force_login(zhujian_reviewer)
    page = client.get(reverse("home:index")).content.decode()
    gates = page.split('data-testid="panel-gates"')[1].split("</section>")[0]
    assert 'href="/somewhere/" data-testid="figure-gates-waiting" data-count="101"' in gates
    assert '<span class="govshare-figure__count">100+</span>' in gates and "govshare-figure--alert" in gates
    assert "XM0001 政务云扩容" in gates and "待补充自查报告" in gates


def test_the_sidebar_names_the_home_page_once(client, zhujian_reviewer):
    client.force_login(zhujian_reviewer)
    page = client.get(reverse("home:index")).content.decode()
    menu = page.split('class="vf-page__menu-primary"')[1].split('class="vf-page__menu-secondary"')[0]
    assert menu.count('<span class="mdc-list-item__content">工作台</span>') == 1
    assert menu.count(f'href="{reverse("home:index")}"') == 1
    assert 'href="/home/substitutions/"' in menu
