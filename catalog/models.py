"""The government data resource catalog (政务数据资源目录)."""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.db import models
from django_fsm import FSMField, can_proceed, transition

from catalog import rules
from catalog.choices import (
    SHARE_METHOD_FIELDS,
    BaseLibrary,
    DataType,
    Domain,
    Network,
    Purpose,
    SecurityLevel,
    ShareClass,
    ShareMethod,
    UpdateFrequency,
)
from workflows.textlimits import BASIS, CITED_REASON, COMMENT, CONDITIONS, DESCRIPTION, validator


class LegalBasis(models.Model):
    """A law, regulation or policy document, with the article an entry relies on."""

    code = models.CharField("依据编号", max_length=32, unique=True, help_text="导入表格中用此编号引用，例如 LB-001")
    title = models.CharField(
        "名称", max_length=200, help_text="法律、行政法规或政策文件名称，例如《中华人民共和国个人信息保护法》"
    )
    issuer = models.CharField("发布机关", max_length=100)
    document_number = models.CharField("文号", max_length=60, blank=True)
    article = models.CharField("条款", max_length=100, blank=True, help_text="例如“第十三条”；不予共享必须注明条款")
    is_active = models.BooleanField("有效", default=True)

    class Meta:
        verbose_name = "法律法规依据"
        verbose_name_plural = "法律法规依据"
        ordering = ["code"]

    def __str__(self) -> str:
        return f"{self.title}{self.article}" if self.article else self.title


class ResourceStatus(models.TextChoices):
    DRAFT = "draft", "草稿"
    SUBMITTED = "submitted", "已提交"
    RETURNED = "returned", "已退回"
    REGISTERED = "registered", "已注册"
    MOUNTED = "mounted", "已挂载"
    WITHDRAWN = "withdrawn", "已撤销"


# The states of an entry, each rule once: the transitions below name their sources from these, and
# DataResource.allows() answers "may this be done now" for the services, the views and the templates.
DRAFT_STATES = [ResourceStatus.DRAFT, ResourceStatus.RETURNED]  # being prepared by its department
PUBLISHED_STATES = [ResourceStatus.REGISTERED, ResourceStatus.MOUNTED]
# Drafts are edited in place; a published entry is amended as a new version.
EDITABLE_STATES = [*DRAFT_STATES, *PUBLISHED_STATES]


class ResourceAction(models.TextChoices):
    """What can be done to an entry; the label completes “不能…” in the services' messages."""

    EDIT = "edit", "修改"
    SUBMIT = "submit", "提交"
    REGISTER = "register", "注册"
    RETURN = "return", "退回"
    MOUNT = "mount", "挂载"
    WITHDRAW = "withdraw", "撤销"


# What an entry records, in this order: what the services write, versions freeze, the form edits
# and the API shows (each with its own additions). The four share methods are boolean fields.
RESOURCE_FIELDS = (
    "code",
    "name",
    "provider_department",
    "description",
    "domain",
    "domain_other",
    "share_class",
    "share_conditions",
    "legal_basis",
    "legal_basis_text",
    "security_level",
    "network",
    "update_frequency",
    "update_frequency_other",
    "query_api",
    "verify_api",
    "bulk_exchange",
    "file_download",
    "base_library",
    "in_responsibility_list",
    "open_to_public",
)
# An information item's own fields. (Tuples: a model formset appends its foreign key to a form's list.)
ITEM_FIELDS = ("name", "data_type", "length", "precision", "description", "security_level")


class DataResource(models.Model):
    code = models.CharField(
        "目录编码",
        max_length=40,
        unique=True,
        validators=[RegexValidator(rules.CODE_RE, rules.MSG_CODE_FORMAT)],
        help_text="6位行政区划代码-部门代码-5位序号，例如 220500-GA-00001",
    )
    name = models.CharField("资源名称", max_length=200)
    provider_department = models.ForeignKey(
        "organizations.Department", verbose_name="提供部门", on_delete=models.PROTECT, related_name="data_resources"
    )
    description = models.TextField("资源摘要", blank=True, max_length=DESCRIPTION, validators=[validator(DESCRIPTION)])
    domain = models.CharField("数据领域", max_length=32, choices=Domain.choices)
    domain_other = models.CharField("其他领域", max_length=60, blank=True)
    share_class = models.CharField("共享类型", max_length=16, choices=ShareClass.choices)
    share_conditions = models.TextField(
        "共享条件", blank=True, max_length=CONDITIONS, validators=[validator(CONDITIONS)]
    )
    legal_basis = models.ForeignKey(
        LegalBasis, verbose_name="法律法规依据", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    legal_basis_text = models.TextField(
        "依据说明", blank=True, help_text="可另行填写引用的文件和条款", max_length=BASIS, validators=[validator(BASIS)]
    )
    security_level = models.PositiveSmallIntegerField("安全级别", choices=SecurityLevel.choices)
    network = models.CharField("网络环境", max_length=16, choices=Network.choices)
    update_frequency = models.CharField("更新频率", max_length=16, choices=UpdateFrequency.choices)
    update_frequency_other = models.CharField("其他更新周期", max_length=60, blank=True)
    query_api = models.BooleanField(ShareMethod.QUERY_API.label, default=False)
    verify_api = models.BooleanField(ShareMethod.VERIFY_API.label, default=False)
    bulk_exchange = models.BooleanField(ShareMethod.BULK_EXCHANGE.label, default=False)
    file_download = models.BooleanField(ShareMethod.FILE_DOWNLOAD.label, default=False)
    base_library = models.CharField("所属基础库", max_length=20, choices=BaseLibrary.choices, blank=True)
    in_responsibility_list = models.BooleanField("列入国家共享责任清单", default=False)
    open_to_public = models.BooleanField("向社会开放", default=False, help_text="共享不等于公开")
    # The information system this data comes from. systems_inventory does not exist yet;
    # this becomes a ForeignKey to its InfoSystem once it does (no placeholder model meanwhile).
    mounted_records = models.PositiveBigIntegerField("挂载记录数", default=0)
    last_mounted_on = models.DateField("最近挂载日期", null=True, blank=True)
    status = FSMField("状态", default=ResourceStatus.DRAFT, choices=ResourceStatus.choices, protected=True)
    review_comment = models.TextField("审核意见", blank=True, max_length=COMMENT, validators=[validator(COMMENT)])
    withdraw_reason = models.TextField(
        "撤销原因", blank=True, max_length=CITED_REASON, validators=[validator(CITED_REASON)]
    )
    version = models.PositiveIntegerField("当前版本", default=0, help_text="注册后每次变更加一")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="创建人",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    created_at = models.DateTimeField("创建时间", auto_now_add=True)
    updated_at = models.DateTimeField("更新时间", auto_now=True)
    submitted_at = models.DateTimeField("提交时间", null=True, blank=True)
    registered_at = models.DateTimeField("注册时间", null=True, blank=True)
    withdrawn_at = models.DateTimeField("撤销时间", null=True, blank=True)

    class Meta:
        verbose_name = "政务数据资源"
        verbose_name_plural = "政务数据资源"
        ordering = ["code"]
        indexes = [
            models.Index(fields=["status", "provider_department"]),
            models.Index(fields=["base_library", "status"]),
        ]
        permissions = [
            ("can_manage_department_resources", "可编制本部门资源目录"),
            ("can_review_resources", "可审核注册资源目录"),
            ("can_maintain_negative_list", "可维护负面清单"),
            ("can_link_demands", "可对接需求清单"),
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"

    def clean(self) -> None:
        errors = rules.check_resource(self)
        code_errors = [m for m in errors.pop("code", []) if m != rules.MSG_CODE_FORMAT]  # the validator says that
        if code_errors:
            errors["code"] = code_errors
        if "share_methods" in errors:
            # Not a model field: the form shows it on the first method checkbox.
            errors["query_api"] = errors.pop("share_methods")
        if errors:
            raise ValidationError(errors)

    @property
    def share_methods(self) -> list[str]:
        return rules.share_methods_of(self)

    def share_method_labels(self) -> list[str]:
        return [ShareMethod(name).label for name in self.share_methods]

    def domain_label(self) -> str:
        return self.domain_other if self.domain == Domain.OTHER and self.domain_other else self.get_domain_display()

    def update_frequency_label(self) -> str:
        if self.update_frequency == UpdateFrequency.OTHER and self.update_frequency_other:
            return self.update_frequency_other
        return self.get_update_frequency_display()

    @property
    def is_published(self) -> bool:
        return self.status in PUBLISHED_STATES

    def allows(self, action: str) -> bool:
        """Whether the entry's state allows `action` (a ResourceAction); who may do it is catalog.permissions'."""
        if action == ResourceAction.EDIT:
            return self.status in EDITABLE_STATES
        return can_proceed(getattr(self, _TRANSITIONS[ResourceAction(action)]))

    def current_items(self) -> models.QuerySet[DataItem]:
        """Its information items now. `items` also holds those deleted after registration (retired_at set)."""
        return self.items.filter(retired_at=None)

    @property
    def current_version(self) -> ResourceVersion | None:
        """The snapshot downstream applications should pin (None before registration)."""
        if not self.version:
            return None
        return self.versions.filter(number=self.version).first()

    @property
    def current_version_id(self) -> int | None:
        """current_version's key, without reading its snapshot."""
        if not self.version:
            return None
        return self.versions.filter(number=self.version).values_list("pk", flat=True).first()

    # Transitions. Who may take them is catalog.permissions'; side effects live in catalog.services.
    @transition(field=status, source=DRAFT_STATES, target=ResourceStatus.SUBMITTED)
    def submit(self) -> None:
        pass

    @transition(field=status, source=ResourceStatus.SUBMITTED, target=ResourceStatus.REGISTERED)
    def register(self) -> None:
        pass

    @transition(field=status, source=ResourceStatus.SUBMITTED, target=ResourceStatus.RETURNED)
    def return_for_correction(self) -> None:
        pass

    @transition(field=status, source=PUBLISHED_STATES, target=ResourceStatus.MOUNTED)
    def mount(self) -> None:
        pass

    @transition(field=status, source=PUBLISHED_STATES, target=ResourceStatus.WITHDRAWN)
    def withdraw(self) -> None:
        pass


_TRANSITIONS = {
    ResourceAction.SUBMIT: "submit",
    ResourceAction.REGISTER: "register",
    ResourceAction.RETURN: "return_for_correction",
    ResourceAction.MOUNT: "mount",
    ResourceAction.WITHDRAW: "withdraw",
}

# The largest values the columns hold on PostgreSQL (integer, bigint): larger input is a field error, not a crash.
MAX_INT, MAX_BIGINT = 2**31 - 1, 2**63 - 1


class DataItem(models.Model):
    """An information item (信息项): one field of a resource."""

    resource = models.ForeignKey(DataResource, verbose_name="资源", on_delete=models.CASCADE, related_name="items")
    position = models.PositiveIntegerField("序号", default=0)
    name = models.CharField("信息项名称", max_length=100)
    data_type = models.CharField("数据类型", max_length=1, choices=DataType.choices)
    length = models.PositiveIntegerField("长度", null=True, blank=True)
    precision = models.PositiveSmallIntegerField("精度", null=True, blank=True, help_text="小数位数")
    description = models.CharField("说明", max_length=500, blank=True)
    security_level = models.PositiveSmallIntegerField(
        "安全级别", choices=SecurityLevel.choices, help_text="可高于所属资源，不能低于"
    )
    retired_at = models.DateTimeField(
        "删除时间",
        null=True,
        blank=True,
        help_text="从已注册资源中删除的时间。删除的信息项保留，供历史申请、决定、授权和负面清单引用。",
    )

    class Meta:
        verbose_name = "信息项"
        verbose_name_plural = "信息项"
        ordering = ["resource", "position", "id"]
        indexes = [models.Index(fields=["name"])]

    def __str__(self) -> str:
        return self.name

    def data_type_label(self) -> str:
        return f"{self.data_type} {self.get_data_type_display()}"

    def clean(self) -> None:
        level = self.resource.security_level if self.resource_id else None
        errors = rules.check_item(self, level)
        if errors:
            raise ValidationError(errors)


class ResourceVersion(models.Model):
    """A frozen snapshot of a registered entry: who changed what, when.

    Share applications keep a reference to the version they were made against.
    """

    resource = models.ForeignKey(DataResource, verbose_name="资源", on_delete=models.PROTECT, related_name="versions")
    number = models.PositiveIntegerField("版本号")
    snapshot = models.JSONField("快照")
    snapshot_hash = models.CharField("快照哈希", max_length=64)
    changes = models.JSONField("变更字段", default=list, blank=True)
    summary = models.CharField("变更说明", max_length=200)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="变更人", null=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField("变更时间", auto_now_add=True)

    class Meta:
        verbose_name = "资源版本"
        verbose_name_plural = "资源版本"
        ordering = ["resource", "-number"]
        constraints = [models.UniqueConstraint(fields=["resource", "number"], name="catalog_version_unique_number")]

    def __str__(self) -> str:
        return f"{self.resource.code} v{self.number}"


class DemandStatus(models.TextChoices):
    OPEN = "open", "待对接"
    LINKED = "linked", "已对接"
    CLOSED = "closed", "已关闭"


class DemandItem(models.Model):
    """需求清单: data a department needs that nobody has catalogued yet."""

    department = models.ForeignKey(
        "organizations.Department", verbose_name="需求部门", on_delete=models.PROTECT, related_name="data_demands"
    )
    data_name = models.CharField("数据名称", max_length=200, help_text="按办理事项的结果命名，例如“结婚证”")
    business_matter = models.CharField("办理事项", max_length=200)
    purpose = models.CharField("应用方式", max_length=20, choices=Purpose.choices)
    description = models.TextField(
        "需求描述",
        blank=True,
        help_text="所需信息项及具体用途",
        max_length=DESCRIPTION,
        validators=[validator(DESCRIPTION)],
    )
    desired_provider = models.ForeignKey(
        "organizations.Department",
        verbose_name="期望提供部门",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    share_method = models.CharField("期望共享方式", max_length=16, choices=ShareMethod.choices)
    update_frequency = models.CharField("期望更新频率", max_length=16, choices=UpdateFrequency.choices)
    in_responsibility_list = models.BooleanField("在国家共享责任清单中", default=False)
    source_basis = models.TextField(
        "数据来源依据",
        blank=True,
        help_text="法律法规规定或确切掌握的数据汇聚情况",
        max_length=BASIS,
        validators=[validator(BASIS)],
    )
    status = FSMField("状态", default=DemandStatus.OPEN, choices=DemandStatus.choices, protected=True)
    linked_resource = models.ForeignKey(
        DataResource, verbose_name="对接资源", null=True, blank=True, on_delete=models.PROTECT, related_name="demands"
    )
    linked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="对接人",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    linked_at = models.DateTimeField("对接时间", null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="提出人", on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField("提出时间", auto_now_add=True)

    class Meta:
        verbose_name = "需求清单条目"
        verbose_name_plural = "需求清单"
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.department}：{self.data_name}"

    @transition(field=status, source=DemandStatus.OPEN, target=DemandStatus.LINKED)
    def link(self) -> None:
        pass

    @property
    def may_link(self) -> bool:
        """Still waiting for the bureau to link it to a catalogued resource."""
        return can_proceed(self.link)


class NegativeListEntry(models.Model):
    """负面清单: a resource, or some of its items, that may never be shared."""

    resource = models.ForeignKey(
        DataResource, verbose_name="资源", on_delete=models.PROTECT, related_name="negative_entries"
    )
    items = models.ManyToManyField(
        DataItem, verbose_name="信息项", blank=True, related_name="negative_entries", help_text="不选则整个资源不予共享"
    )
    legal_basis = models.ForeignKey(LegalBasis, verbose_name="法律法规依据", on_delete=models.PROTECT, related_name="+")
    legal_basis_text = models.TextField("依据说明", blank=True, max_length=BASIS, validators=[validator(BASIS)])
    reason = models.TextField("原因", max_length=CITED_REASON, validators=[validator(CITED_REASON)])
    is_active = models.BooleanField("生效", default=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="登记人", on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField("登记时间", auto_now_add=True)

    class Meta:
        verbose_name = "负面清单条目"
        verbose_name_plural = "负面清单"
        ordering = ["resource", "id"]

    def __str__(self) -> str:
        return f"负面清单：{self.resource}"


class BaseLibraryTarget(models.Model):
    """How many items a base library should hold, for the completeness rate (740/1500 = 49%)."""

    base_library = models.CharField("基础库", max_length=20, choices=BaseLibrary.choices, unique=True)
    expected_items = models.PositiveIntegerField("应编目信息项数")

    class Meta:
        verbose_name = "基础库编目目标"
        verbose_name_plural = "基础库编目目标"
        ordering = ["base_library"]

    def __str__(self) -> str:
        return f"{self.get_base_library_display()}：{self.expected_items}"


class ImportJob(models.Model):
    """One spreadsheet import. All-or-nothing: either every row is written, or none and `errors` says why."""

    class Status(models.TextChoices):
        PENDING = "pending", "排队中"
        RUNNING = "running", "处理中"
        SUCCEEDED = "succeeded", "已导入"
        FAILED = "failed", "未导入"

    file = models.FileField("文件", upload_to="catalog/imports/%Y/%m/")
    original_name = models.CharField("文件名", max_length=200)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="导入人", on_delete=models.PROTECT)
    # None: the data bureau may import for any department; otherwise rows must belong to it.
    department = models.ForeignKey(
        "organizations.Department", verbose_name="限定部门", null=True, blank=True, on_delete=models.PROTECT
    )
    submit_after = models.BooleanField("导入后直接提交审核", default=False)
    status = models.CharField("状态", max_length=12, choices=Status.choices, default=Status.PENDING)
    progress = models.PositiveSmallIntegerField("进度（%）", default=0)
    message = models.CharField("当前步骤", max_length=200, blank=True)
    errors = models.JSONField("错误", default=list, blank=True)
    resources_created = models.PositiveIntegerField("新增资源数", default=0)
    items_created = models.PositiveIntegerField("新增信息项数", default=0)
    created_at = models.DateTimeField("创建时间", auto_now_add=True)
    finished_at = models.DateTimeField("完成时间", null=True, blank=True)
    # Renewed by the process checking the file, every few thousand rows; a running job whose
    # heartbeat is older than settings.CATALOG_IMPORT_HEARTBEAT_TIMEOUT lost its process.
    heartbeat_at = models.DateTimeField("最近心跳", null=True, blank=True)

    class Meta:
        verbose_name = "目录导入任务"
        verbose_name_plural = "目录导入任务"
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"导入 #{self.pk} {self.original_name}"

    @property
    def succeeded(self) -> bool:
        return self.status == self.Status.SUCCEEDED

    @property
    def failed(self) -> bool:
        return self.status == self.Status.FAILED

    @property
    def is_finished(self) -> bool:
        return self.succeeded or self.failed


from catalog.source_models import AuthoritativeSource, DatumAlias, SourceCopy  # noqa: E402  (一数一源)

__all__ = [
    "ITEM_FIELDS",
    "RESOURCE_FIELDS",
    "SHARE_METHOD_FIELDS",
    "AuthoritativeSource",
    "BaseLibrary",
    "BaseLibraryTarget",
    "DataItem",
    "DataResource",
    "DatumAlias",
    "DemandItem",
    "DemandStatus",
    "ImportJob",
    "LegalBasis",
    "NegativeListEntry",
    "ResourceAction",
    "ResourceStatus",
    "ResourceVersion",
    "SourceCopy",
]
