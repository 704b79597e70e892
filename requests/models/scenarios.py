"""Application scenarios (应用场景) the data bureau authorizes once, with one part per provider resource.

A department or the bureau proposes a scenario: its business matters, its consumer departments and, for
each provider resource, the items, share method, legal basis and conditions it needs. The bureau accepts
the proposal into provider review (or rejects it); each provider confirms or refuses its part as it would a
share application; the bureau then authorizes the scenario, whole or in part, and issues a 场景授权书. From
then on every consumer department holds a grant per authorized part (proactive sharing) and a share
application citing the scenario within its scope is granted on submit (automatic sharing).

State lives here (django-fsm); requests.flows routes the human tasks; requests.services.scenarios moves it.
"""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django_fsm import FSMField, transition

from catalog.choices import Purpose, ShareMethod
from requests.messages import MSG_PURPOSES_REQUIRED, MSG_SCENARIO_VALIDITY_INVALID

# Defined in the package's __init__ before it imports this module (at its end).
from requests.models import Decision, RefusalReason
from workflows.models import SubjectProcess
from workflows.textlimits import BASIS, CITATION, CONDITIONS, NOTICE_REASON, validator


class ScenarioState(models.TextChoices):
    PROPOSED = "proposed", "已提出"
    PROVIDER_REVIEW = "provider_review", "提供部门确认中"
    REVIEWED = "reviewed", "待政数局授权"
    AUTHORIZED = "authorized", "已授权"
    SUSPENDED = "suspended", "已暂停"
    REVOKED = "revoked", "已撤销"
    EXPIRED = "expired", "已到期"
    REJECTED = "rejected", "不予授权"


# Waiting for someone: the bureau (proposed, reviewed) or the providers.
SCENARIO_OPEN_STATES = [ScenarioState.PROPOSED, ScenarioState.PROVIDER_REVIEW, ScenarioState.REVIEWED]
# Its proposer may still change it (while no provider has answered, requests.rules.scenario_editable).
SCENARIO_EDITABLE_STATES = [ScenarioState.PROPOSED, ScenarioState.PROVIDER_REVIEW]
# On the published 场景清单: authorized once, whatever became of it since.
SCENARIO_PUBLISHED_STATES = [
    ScenarioState.AUTHORIZED,
    ScenarioState.SUSPENDED,
    ScenarioState.REVOKED,
    ScenarioState.EXPIRED,
]
# Authorized and not ended for good: it may be revoked, and it expires at the end of its validity.
SCENARIO_STANDING_STATES = [ScenarioState.AUTHORIZED, ScenarioState.SUSPENDED]


class Scenario(models.Model):
    name = models.CharField("场景名称", max_length=100)
    business_matter = models.CharField("办理事项", max_length=200, help_text="多项以顿号分隔")
    purposes = models.JSONField("应用方式", default=list, help_text="减材料 / 减填写 / 业务协同，一项或多项")
    consumer_departments = models.ManyToManyField(
        "organizations.Department", verbose_name="使用部门", related_name="scenarios_used"
    )
    valid_from = models.DateField("有效期自")
    valid_to = models.DateField("有效期至")
    legal_basis = models.TextField("法律法规依据", max_length=BASIS, validators=[validator(BASIS)])
    conditions = models.TextField("共享条件", blank=True, max_length=CONDITIONS, validators=[validator(CONDITIONS)])
    proposing_department = models.ForeignKey(
        "organizations.Department", verbose_name="提出部门", on_delete=models.PROTECT, related_name="scenarios_proposed"
    )
    proposed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="提出人", on_delete=models.PROTECT, related_name="+"
    )
    state = FSMField("状态", default=ScenarioState.PROPOSED, choices=ScenarioState.choices, protected=True)
    authorized_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="授权人",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    authorized_at = models.DateTimeField("授权时间", null=True, blank=True)
    record = models.ForeignKey(
        "pdf_templates.Record",
        verbose_name="场景授权书",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    # Why the bureau did not authorize, suspended or revoked it (the latest of these).
    reason = models.TextField("理由", blank=True, max_length=NOTICE_REASON, validators=[validator(NOTICE_REASON)])
    ended_at = models.DateTimeField("暂停、撤销或到期时间", null=True, blank=True)
    created_at = models.DateTimeField("提出时间", auto_now_add=True)
    updated_at = models.DateTimeField("更新时间", auto_now=True)

    class Meta:
        verbose_name = "应用场景"
        verbose_name_plural = "应用场景"
        ordering = ["-id"]
        indexes = [models.Index(fields=["state", "valid_to"])]
        permissions = [
            ("can_authorize_scenario", "可授权应用场景"),
            ("can_confirm_scenario_part", "可确认应用场景所需数据"),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(valid_to__gte=models.F("valid_from")), name="scenario_validity_valid"),
        ]

    def __str__(self) -> str:
        return f"{self.reference} {self.name}"

    def get_absolute_url(self) -> str:
        from django.urls import reverse

        return reverse("scenarios:detail", kwargs={"pk": self.pk})

    @property
    def reference(self) -> str:
        return self.reference_of(self.pk) if self.pk else "CJ（未保存）"

    @staticmethod
    def reference_of(pk: int) -> str:
        """CJ00012: how people (and the grant check's answers) name scenario 12."""
        return f"CJ{pk:05d}"

    def clean(self) -> None:
        errors = {}
        if self.valid_from and self.valid_to and self.valid_to < self.valid_from:
            errors["valid_to"] = MSG_SCENARIO_VALIDITY_INVALID
        if not self.purposes or set(self.purposes) - set(Purpose.values):
            errors["purposes"] = MSG_PURPOSES_REQUIRED
        if errors:
            raise ValidationError(errors)

    def record_departments(self):
        """Departments that may open its records (pdf_templates): the proposer, the consumers, the providers."""
        providers = {part.provider_department for part in self.parts.select_related("provider_department")}
        return [self.proposing_department, *self.consumer_departments.all(), *providers]

    def purpose_labels(self) -> list[str]:
        return [Purpose(code).label for code in self.purposes if code in Purpose.values]

    # Transitions. Called only from requests.services.scenarios, which locks the row, audits and notifies.
    @transition(field=state, source=ScenarioState.PROPOSED, target=ScenarioState.PROVIDER_REVIEW)
    def accept(self) -> None:
        """The bureau takes the proposal onto its list and sends each part to its provider."""

    @transition(field=state, source=ScenarioState.PROVIDER_REVIEW, target=ScenarioState.REVIEWED)
    def complete_review(self) -> None:
        """The last provider has answered for its part."""

    @transition(field=state, source=ScenarioState.REVIEWED, target=ScenarioState.AUTHORIZED)
    def authorize(self) -> None:
        pass

    @transition(field=state, source=[ScenarioState.PROPOSED, ScenarioState.REVIEWED], target=ScenarioState.REJECTED)
    def reject(self) -> None:
        pass

    @transition(field=state, source=ScenarioState.AUTHORIZED, target=ScenarioState.SUSPENDED)
    def suspend(self) -> None:
        pass

    @transition(field=state, source=ScenarioState.SUSPENDED, target=ScenarioState.AUTHORIZED)
    def resume(self) -> None:
        pass

    @transition(field=state, source=SCENARIO_STANDING_STATES, target=ScenarioState.REVOKED)
    def revoke(self) -> None:
        pass

    @transition(field=state, source=SCENARIO_STANDING_STATES, target=ScenarioState.EXPIRED)
    def expire(self) -> None:
        pass


class PartState(models.TextChoices):
    PROPOSED = "proposed", "待送提供部门"
    PENDING = "pending", "待确认"
    ESCALATED = "escalated", "协调中"
    CONFIRMED = "confirmed", "已确认"
    PARTIALLY_CONFIRMED = "partially_confirmed", "部分确认"
    REFUSED = "refused", "不予共享"


# Waiting for its provider (or, overdue, for the bureau).
PART_OPEN_STATES = [PartState.PENDING, PartState.ESCALATED]
# The provider agreed to share (some of) it: the bureau may authorize it.
PART_CONFIRMED_STATES = [PartState.CONFIRMED, PartState.PARTIALLY_CONFIRMED]
# No provider has answered yet: not sent, or waiting for its answer.
PART_UNANSWERED_STATES = [PartState.PROPOSED, *PART_OPEN_STATES]


class ScenarioPart(models.Model):
    """What a scenario needs of one provider resource, and its provider's answer."""

    scenario = models.ForeignKey(Scenario, verbose_name="应用场景", on_delete=models.CASCADE, related_name="parts")
    position = models.PositiveIntegerField("序号", default=0)
    resource = models.ForeignKey(
        "catalog.DataResource", verbose_name="数据资源", on_delete=models.PROTECT, related_name="scenario_parts"
    )
    # Copied from the resource: the provider's inbox filters on it.
    provider_department = models.ForeignKey(
        "organizations.Department", verbose_name="提供部门", on_delete=models.PROTECT, related_name="scenario_parts"
    )
    items = models.ManyToManyField("catalog.DataItem", verbose_name="所需信息项", related_name="+")
    share_method = models.CharField("共享方式", max_length=16, choices=ShareMethod.choices)
    legal_basis = models.TextField("法律法规依据", max_length=BASIS, validators=[validator(BASIS)])
    conditions = models.TextField("共享条件", blank=True, max_length=CONDITIONS, validators=[validator(CONDITIONS)])
    state = FSMField("状态", default=PartState.PROPOSED, choices=PartState.choices, protected=True)
    confirmed_items = models.ManyToManyField(
        "catalog.DataItem", verbose_name="确认共享信息项", blank=True, related_name="+"
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="答复人",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    decided_as = models.CharField("答复身份", max_length=12, choices=Decision.DecidedAs.choices, blank=True)
    decided_at = models.DateTimeField("答复时间", null=True, blank=True)
    adjustment_reason = models.TextField(
        "部分不予共享的理由",
        blank=True,
        max_length=NOTICE_REASON,
        validators=[validator(NOTICE_REASON)],
    )
    refusal_reason = models.ForeignKey(
        RefusalReason, verbose_name="不予共享理由", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    refusal_text = models.TextField(
        "理由说明", blank=True, max_length=NOTICE_REASON, validators=[validator(NOTICE_REASON)]
    )
    refusal_legal_basis = models.ForeignKey(
        "catalog.LegalBasis",
        verbose_name="不予共享依据",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    refusal_citation = models.CharField(
        "依据条款", max_length=CITATION, blank=True, help_text="法律法规名称及条款", validators=[validator(CITATION)]
    )
    due_at = models.DateTimeField("答复期限", null=True, blank=True)
    escalated_at = models.DateTimeField("提请协调时间", null=True, blank=True)
    was_overdue = models.BooleanField("曾超期未答复", default=False)
    authorized = models.BooleanField("纳入授权", default=False)

    class Meta:
        verbose_name = "应用场景所需数据"
        verbose_name_plural = "应用场景所需数据"
        ordering = ["scenario", "position", "id"]
        indexes = [models.Index(fields=["provider_department", "state"])]
        constraints = [
            models.UniqueConstraint(fields=["scenario", "resource"], name="scenario_part_one_per_resource"),
        ]

    def __str__(self) -> str:
        return f"{self.scenario.reference} · {self.resource.name}"

    def get_absolute_url(self) -> str:
        return self.scenario.get_absolute_url() + f"#part-{self.pk}"

    # What the share-application rules read (requests.rules, requests.services.validation): a part is
    # checked as an application for its items over the scenario's validity.
    @property
    def period_start(self):
        return self.scenario.valid_from

    @property
    def period_end(self):
        return self.scenario.valid_to

    def negative_list_hits(self) -> list:
        from catalog.selectors import negative_list_hits

        return negative_list_hits(self.resource, self.items.values_list("pk", flat=True))

    def is_on_negative_list(self) -> bool:
        return bool(self.negative_list_hits())

    @transition(field=state, source=PartState.PROPOSED, target=PartState.PENDING)
    def send(self) -> None:
        pass

    @transition(field=state, source=PartState.PENDING, target=PartState.ESCALATED)
    def escalate(self) -> None:
        pass

    @transition(field=state, source=PART_OPEN_STATES, target=PartState.CONFIRMED)
    def confirm(self) -> None:
        pass

    @transition(field=state, source=PART_OPEN_STATES, target=PartState.PARTIALLY_CONFIRMED)
    def confirm_partially(self) -> None:
        pass

    @transition(field=state, source=PART_OPEN_STATES, target=PartState.REFUSED)
    def refuse(self) -> None:
        pass


class ScenarioProcess(SubjectProcess):
    """The bureau's tasks on one scenario: accept the proposal, authorize it."""

    scenario = models.OneToOneField(
        Scenario, verbose_name="应用场景", null=True, on_delete=models.PROTECT, related_name="process"
    )

    class Meta:
        verbose_name = "应用场景流程"
        verbose_name_plural = "应用场景流程"


class ScenarioPartProcess(SubjectProcess):
    """One provider's task on its part of a scenario (and the bureau's, once overdue)."""

    part = models.OneToOneField(
        ScenarioPart, verbose_name="应用场景所需数据", null=True, on_delete=models.PROTECT, related_name="process"
    )

    class Meta:
        verbose_name = "应用场景数据确认流程"
        verbose_name_plural = "应用场景数据确认流程"


__all__ = [
    "PART_CONFIRMED_STATES",
    "PART_OPEN_STATES",
    "PART_UNANSWERED_STATES",
    "SCENARIO_EDITABLE_STATES",
    "SCENARIO_OPEN_STATES",
    "SCENARIO_PUBLISHED_STATES",
    "SCENARIO_STANDING_STATES",
    "PartState",
    "Scenario",
    "ScenarioPart",
    "ScenarioPartProcess",
    "ScenarioProcess",
    "ScenarioState",
]
