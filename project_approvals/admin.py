"""Projects, reviews, snapshots and funding in the admin: read-only. Every change goes through the services, which
audit it; funding in particular is recorded only by finance on the 资金闸口 pages, past the gate. No admin path adds,
changes or deletes money."""

from django.contrib import admin

from project_approvals.models import (
    ConstructionProject,
    ConstructionProjectProcess,
    FirstReview,
    FundingDecision,
    GateEvaluation,
    ProjectAttachment,
    ReviewCondition,
)
from workflows.admin import ReadOnlyAdmin


class ReviewConditionInline(admin.TabularInline):
    model = ReviewCondition
    fk_name = "project"
    extra = 0
    fields = readonly_fields = ["text", "due_on", "status", "met_at", "met_by"]
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(ConstructionProject)
class ConstructionProjectAdmin(ReadOnlyAdmin):
    list_display = ["reference", "name", "department", "project_type", "year", "state", "construction_budget"]
    list_filter = ["state", "project_type", "year"]
    list_select_related = ["department"]
    search_fields = ["name", "department__name"]
    inlines = [ReviewConditionInline]


@admin.register(ProjectAttachment)
class ProjectAttachmentAdmin(ReadOnlyAdmin):
    list_display = ["original_name", "project", "kind", "size", "uploaded_by", "uploaded_at"]
    list_select_related = ["project", "uploaded_by"]


@admin.register(FirstReview)
class FirstReviewAdmin(ReadOnlyAdmin):
    list_display = ["project", "outcome", "decided_by", "decided_at", "record"]
    list_filter = ["outcome"]
    list_select_related = ["project", "decided_by", "record"]


@admin.register(ReviewCondition)
class ReviewConditionAdmin(ReadOnlyAdmin):
    list_display = ["text", "project", "due_on", "status", "met_at"]
    list_filter = ["status"]
    list_select_related = ["project"]


@admin.register(GateEvaluation)
class GateEvaluationAdmin(ReadOnlyAdmin):
    """Snapshots are immutable (the model, its queryset and, on PostgreSQL, a trigger refuse changes)."""

    list_display = ["evaluated_at", "kind", "purpose", "project", "system", "year", "passed", "ruleset_version"]
    list_filter = ["kind", "purpose", "passed"]
    list_select_related = ["project", "system"]
    readonly_fields = ["sha256", "snapshot"]


@admin.register(FundingDecision)
class FundingDecisionAdmin(ReadOnlyAdmin):
    """Read-only: money is recorded only through the 资金闸口 pages, where the gate decides."""

    list_display = ["decided_at", "kind", "project", "system", "year", "amount", "budget_line", "record"]
    list_filter = ["kind", "year"]
    list_select_related = ["project", "system", "record"]
    actions = None


@admin.register(ConstructionProjectProcess)
class ConstructionProjectProcessAdmin(ReadOnlyAdmin):
    list_display = ["id", "project", "status", "created", "finished"]
    list_filter = ["status"]
