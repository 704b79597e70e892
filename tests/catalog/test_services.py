import pytest

from catalog import rules
from catalog.models import DataItem, DataResource, ResourceStatus, ResourceVersion
from catalog.services import (
    MSG_BUREAU_ONLY,
    MSG_NOT_EDITABLE,
    MSG_NOT_YOUR_DEPARTMENT,
    MSG_RETURN_NEEDS_COMMENT,
    MSG_WITHDRAW_NEEDS_REASON,
    MSG_WRONG_STATE,
    CatalogError,
    resource_create,
    resource_mount,
    resource_register,
    resource_return,
    resource_submit,
    resource_update,
    resource_withdraw,
)
from tests.catalog.factories import ITEMS, LegalBasisFactory, resource_data
from workflows.models import AuditEvent

pytestmark = pytest.mark.django_db


def _create(actor, **overrides):
    return resource_create(actor=actor, data=resource_data(actor.department, **overrides), items=ITEMS)


def _registered(staff, bureau, **overrides):
    resource = _create(staff, **overrides)
    resource_submit(actor=staff, obj=resource)
    return resource_register(actor=bureau, obj=resource)


def test_it_creates_a_draft_with_items_and_an_audit_event(zhujian_clerk):
    resource = _create(zhujian_clerk)
    assert resource.status == ResourceStatus.DRAFT
    assert [i.name for i in resource.items.all()] == ["房屋坐落", "建筑面积"]
    assert AuditEvent.objects.filter(action="catalog.resource_created", subject_id=str(resource.pk)).exists()


def test_it_requires_conditions_and_legal_basis_for_conditional(zhujian_clerk):
    with pytest.raises(CatalogError) as exc:
        _create(zhujian_clerk, share_class="conditional")
    assert exc.value.errors["share_conditions"] == [rules.MSG_CONDITIONAL_NEEDS_CONDITIONS]
    assert exc.value.errors["legal_basis"] == [rules.MSG_CONDITIONAL_NEEDS_LEGAL_BASIS]
    assert not DataResource.objects.exists()
    # Free-text citation is enough for a conditional entry.
    resource = _create(
        zhujian_clerk,
        share_class="conditional",
        share_conditions="仅用于不动产登记",
        legal_basis_text="《不动产登记暂行条例》第二十七条",
    )
    assert resource.share_class == "conditional"


def test_it_requires_a_cited_article_for_not_shared(zhujian_clerk):
    with pytest.raises(CatalogError) as exc:
        _create(zhujian_clerk, share_class="none", legal_basis_text="相关规定")
    assert exc.value.errors["legal_basis"] == [rules.MSG_NONE_NEEDS_LEGAL_BASIS]
    without_article = LegalBasisFactory(code="LB-NOART", article="")
    with pytest.raises(CatalogError):
        _create(zhujian_clerk, share_class="none", legal_basis=without_article)
    resource = _create(zhujian_clerk, share_class="none", legal_basis=LegalBasisFactory(), query_api=False)
    assert resource.share_methods == []


def test_it_requires_an_item_and_a_method(zhujian_clerk):
    with pytest.raises(CatalogError) as exc:
        resource_create(actor=zhujian_clerk, data=resource_data(zhujian_clerk.department, query_api=False), items=[])
    assert exc.value.errors["items"] == [rules.MSG_NEEDS_ITEM]
    assert exc.value.errors["share_methods"] == [rules.MSG_NEEDS_METHOD]


def test_it_checks_item_types_and_levels(zhujian_clerk):
    items = [
        {"name": "姓名", "data_type": "C", "security_level": 2},
        {"name": "出生日期", "data_type": "D", "precision": 2, "security_level": 2},
        {"name": "身份证号", "data_type": "C", "length": 18, "security_level": 1},
    ]
    with pytest.raises(CatalogError) as exc:
        resource_create(actor=zhujian_clerk, data=resource_data(zhujian_clerk.department), items=items)
    assert exc.value.errors["items[0].length"] == [rules.MSG_ITEM_NEEDS_LENGTH]
    assert exc.value.errors["items[1].precision"] == [rules.MSG_ITEM_NO_PRECISION]
    assert exc.value.errors["items[2].security_level"] == [rules.MSG_ITEM_LEVEL_TOO_LOW]


def test_it_validates_the_code_format_and_domain_other(zhujian_clerk):
    with pytest.raises(CatalogError) as exc:
        _create(zhujian_clerk, code="ZJ-1", domain="other")
    assert exc.value.errors["code"] == [rules.MSG_CODE_FORMAT]
    assert exc.value.errors["domain_other"] == [rules.MSG_DOMAIN_OTHER]


def test_it_checks_the_code_names_the_provider_but_not_once_registered(zhujian_clerk, coordinator):
    with pytest.raises(CatalogError) as exc:
        _create(zhujian_clerk, code="220500-GA-00001")
    assert exc.value.errors["code"] == [
        rules.MSG_CODE_DEPARTMENT.format(department="市住建局", expected="ZJ", example="220500-ZJ-00001")
    ]
    # An entry registered under another department's code keeps it: applications cite it, and it can be amended.
    resource = _registered(zhujian_clerk, coordinator)
    DataResource.objects.filter(pk=resource.pk).update(code="220500-GA-00001")
    resource = resource_update(actor=zhujian_clerk, obj=resource, data={"name": "房屋登记信息（新）"}, items=ITEMS)
    assert resource.version == 2 and resource.code == "220500-GA-00001"


def test_it_refuses_another_departments_entry(zhujian_clerk, gongan_leader):
    with pytest.raises(CatalogError) as exc:
        resource_create(actor=gongan_leader, data=resource_data(zhujian_clerk.department), items=ITEMS)
    assert exc.value.message == MSG_NOT_YOUR_DEPARTMENT
    resource = _create(zhujian_clerk)
    with pytest.raises(CatalogError):
        resource_update(actor=gongan_leader, obj=resource, data={"name": "改名"}, items=ITEMS)
    with pytest.raises(CatalogError):
        resource_submit(actor=gongan_leader, obj=resource)


def test_it_runs_the_lifecycle_and_versions_every_change(zhujian_clerk, coordinator):
    resource = _create(zhujian_clerk)
    resource_submit(actor=zhujian_clerk, obj=resource)
    with pytest.raises(CatalogError) as exc:
        resource_register(actor=zhujian_clerk, obj=resource)
    assert exc.value.message == MSG_BUREAU_ONLY
    with pytest.raises(CatalogError) as exc:
        resource_return(actor=coordinator, obj=resource, comment=" ")
    assert exc.value.message == MSG_RETURN_NEEDS_COMMENT
    resource = resource_return(actor=coordinator, obj=resource, comment="摘要过于简单")
    assert resource.status == ResourceStatus.RETURNED and resource.review_comment == "摘要过于简单"
    resource_submit(actor=zhujian_clerk, obj=resource)
    resource = resource_register(actor=coordinator, obj=resource)
    assert resource.status == ResourceStatus.REGISTERED
    v1 = resource.current_version
    assert v1.number == 1 and v1.created_by == coordinator
    assert v1.snapshot["name"] == "房屋登记信息" and len(v1.snapshot["items"]) == 2

    items = [
        {"id": i.pk, **{f: getattr(i, f) for f in ("name", "data_type", "length", "precision", "description")}}
        for i in resource.items.all()
    ]
    items[0]["name"] = "房屋坐落地址"
    items[1]["description"] = "单位：平方米"
    resource = resource_update(actor=zhujian_clerk, obj=resource, data={"name": "房屋登记信息（2026版）"}, items=items)
    v2 = resource.current_version
    assert v2.number == 2 and v2.created_by == zhujian_clerk
    assert "资源名称" in v2.changes and "信息项" in v2.changes
    # The first version still says what an earlier application was made against.
    v1.refresh_from_db()
    assert v1.snapshot["name"] == "房屋登记信息" and v1.snapshot["items"][0]["name"] == "房屋坐落"
    assert v2.snapshot["items"][0]["name"] == "房屋坐落地址"
    # A renamed item is a new item: the old one is retired, so what grants and applications name stays.
    assert v2.snapshot["items"][0]["id"] != v1.snapshot["items"][0]["id"]
    assert DataItem.objects.get(pk=v1.snapshot["items"][0]["id"]).retired_at is not None
    # A new description is the same item, amended in place.
    assert v2.snapshot["items"][1]["id"] == v1.snapshot["items"][1]["id"]
    assert v2.snapshot["items"][1]["description"] == "单位：平方米"

    resource = resource_mount(actor=zhujian_clerk, obj=resource, records=120_000)
    assert resource.status == ResourceStatus.MOUNTED and resource.version == 3
    with pytest.raises(CatalogError) as exc:
        resource_withdraw(actor=zhujian_clerk, obj=resource, reason="")
    assert exc.value.message == MSG_WITHDRAW_NEEDS_REASON
    resource = resource_withdraw(actor=zhujian_clerk, obj=resource, reason="系统关停，数据迁入省平台")
    assert resource.status == ResourceStatus.WITHDRAWN
    assert list(ResourceVersion.objects.filter(resource=resource).values_list("number", flat=True)) == [4, 3, 2, 1]
    actions = list(
        AuditEvent.objects.filter(subject_id=str(resource.pk), subject_type__model="dataresource").values_list(
            "action", flat=True
        )
    )
    assert actions == [
        "catalog.resource_created",
        "catalog.resource_submitted",
        "catalog.resource_returned",
        "catalog.resource_submitted",
        "catalog.resource_registered",
        "catalog.resource_amended",
        "catalog.resource_mounted",
        "catalog.resource_withdrawn",
    ]


def test_it_keeps_registered_entries_to_the_rules_when_amended(zhujian_clerk, coordinator):
    resource = _registered(zhujian_clerk, coordinator)
    with pytest.raises(CatalogError) as exc:
        resource_update(actor=zhujian_clerk, obj=resource, data={"share_class": "none"}, items=ITEMS)
    assert exc.value.errors["legal_basis"] == [rules.MSG_NONE_NEEDS_LEGAL_BASIS]
    resource = DataResource.objects.get(pk=resource.pk)
    assert resource.version == 1 and resource.share_class == "unconditional"


def test_it_cannot_submit_twice_or_withdraw_a_draft(zhujian_clerk):
    resource = _create(zhujian_clerk)
    with pytest.raises(CatalogError):
        resource_withdraw(actor=zhujian_clerk, obj=resource, reason="不再需要")
    resource_submit(actor=zhujian_clerk, obj=resource)
    with pytest.raises(CatalogError):
        resource_submit(actor=zhujian_clerk, obj=resource)
    with pytest.raises(CatalogError):
        resource_update(actor=zhujian_clerk, obj=resource, data={"name": "x"}, items=ITEMS)


def test_an_entry_cannot_have_two_current_items_of_the_same_name(zhujian, zhujian_clerk):
    items = [*ITEMS, {**ITEMS[0], "length": 100}]
    with pytest.raises(CatalogError) as error:
        resource_create(actor=zhujian_clerk, data=resource_data(zhujian), items=items)
    assert error.value.errors == {"items[2].name": [rules.MSG_ITEM_NAME_DUPLICATE.format(name=ITEMS[0]["name"])]}


def test_what_an_entry_allows_is_one_rule_for_its_page_and_the_services(zhujian_clerk, coordinator):
    from catalog.models import ResourceAction as A
    from catalog.permissions import available_actions

    resource = _create(zhujian_clerk)
    assert available_actions(zhujian_clerk, resource) == {A.EDIT, A.SUBMIT}
    assert available_actions(coordinator, resource) == set()
    with pytest.raises(CatalogError) as error:  # what the page does not offer, the service refuses
        resource_register(actor=coordinator, obj=resource)
    assert error.value.message == MSG_WRONG_STATE.format(status="草稿", action="注册")

    resource = resource_submit(actor=zhujian_clerk, obj=resource)
    assert available_actions(zhujian_clerk, resource) == set()
    assert available_actions(coordinator, resource) == {A.REGISTER, A.RETURN}
    with pytest.raises(CatalogError) as error:
        resource_update(actor=zhujian_clerk, obj=resource, data={}, items=ITEMS)
    assert error.value.message == MSG_NOT_EDITABLE.format(status="已提交")
    with pytest.raises(CatalogError) as error:
        resource_register(actor=zhujian_clerk, obj=resource)
    assert error.value.message == MSG_BUREAU_ONLY

    resource = resource_register(actor=coordinator, obj=resource)
    assert available_actions(zhujian_clerk, resource) == {A.EDIT, A.MOUNT, A.WITHDRAW}
    assert available_actions(coordinator, resource) == {A.MOUNT, A.WITHDRAW}

    resource = resource_withdraw(actor=coordinator, obj=resource, reason="系统关停")
    assert available_actions(zhujian_clerk, resource) == available_actions(coordinator, resource) == set()
    with pytest.raises(CatalogError) as error:
        resource_mount(actor=zhujian_clerk, obj=resource, records=1)
    assert error.value.message == MSG_WRONG_STATE.format(status="已撤销", action="挂载")
