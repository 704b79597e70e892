from django.contrib import admin
from django.contrib.auth.admin import GroupAdmin as BaseGroupAdmin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.contrib.auth.models import Group

from organizations.models import Department, Substitution, User
from organizations.roles import Role


class ReadOnlyAdmin(admin.ModelAdmin):
    """For rows only services write: operators look, nobody edits, adds or deletes.

    Here, in the lowest app, so that every app's admin can use it (workflows.admin re-exports it).
    """

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Department)
class DepartmentAdmin(admin.ModelAdmin):
    list_display = [
        "code",
        "name",
        "short_name",
        "level",
        "parent",
        "sharing_officer_name",
        "contact_name",
        "is_active",
    ]
    list_filter = ["level", "is_active"]
    search_fields = ["code", "name", "short_name"]
    autocomplete_fields = ["parent"]
    fieldsets = [
        (None, {"fields": ["code", "name", "short_name", "level", "parent", "seal_text", "is_active"]}),
        (
            "共享负责人员",
            {
                "fields": [
                    "sharing_officer_name",
                    "sharing_officer_phone",
                    "sharing_officer_email",
                    "contact_name",
                    "contact_phone",
                    "contact_email",
                ]
            },
        ),
    ]


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    list_display = ["username", "full_name", "department", "is_active", "is_staff"]
    list_filter = ["department", "groups", "is_active", "is_staff"]
    list_select_related = ["department"]
    search_fields = ["username", "first_name", "last_name", "email"]
    autocomplete_fields = ["department"]
    fieldsets = [
        *BaseUserAdmin.fieldsets,
        ("所属部门", {"fields": ["department", "phone"]}),
    ]
    add_fieldsets = [
        *BaseUserAdmin.add_fieldsets,
        ("所属部门", {"fields": ["department"]}),
    ]

    @admin.display(description="姓名", ordering="last_name")
    def full_name(self, user: User) -> str:
        return user.get_full_name()


@admin.register(Substitution)
class SubstitutionAdmin(ReadOnlyAdmin):
    """Users name and cancel their substitutes on 代理授权 (/home/substitutions/), which audits both."""

    list_display = ["principal", "substitute", "starts_on", "ends_on", "reason"]
    list_select_related = ["principal", "substitute"]
    autocomplete_fields = ["principal", "substitute"]
    date_hierarchy = "starts_on"


admin.site.unregister(Group)


@admin.register(Group)
class GroupAdmin(BaseGroupAdmin):
    """Roles are groups named by their code, which the code relies on: the list shows the role's name too."""

    list_display = ["role_label", "code"]

    @admin.display(description="角色", ordering="name")
    def role_label(self, group: Group) -> str:
        return Role(group.name).label if group.name in Role.values else group.name

    @admin.display(description="组名（程序使用，勿改）", ordering="name")
    def code(self, group: Group) -> str:
        return group.name
