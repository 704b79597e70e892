from typing import TYPE_CHECKING, cast

from django.contrib.auth.mixins import LoginRequiredMixin
from django.urls import path
from django.views.generic import TemplateView
from viewflow.urls import Application

from organizations.selectors import principals_of
from organizations.views import SubstitutionCancelView, SubstitutionsView
from workflows.selectors import count_capped, inbox_tasks, queue_count

if TYPE_CHECKING:
    from organizations.models import User


class HomeView(LoginRequiredMixin, TemplateView):
    template_name = "workflows/home.html"

    def get_context_data(self, **kwargs):
        user = cast("User", self.request.user)  # LoginRequiredMixin: never anonymous here
        return super().get_context_data(
            department=user.department,
            roles=user.role_labels(),
            inbox_count=count_capped(inbox_tasks(user)),
            queue_count=queue_count(user),
            acting_for=list(principals_of(user)),
            **kwargs,
        )


class HomeApplication(Application):
    title = "工作台"
    icon = "home"
    app_name = "home"
    menu_template_name = "workflows/home_menu.html"

    substitutions_path = path("substitutions/", SubstitutionsView.as_view(), name="substitutions")
    substitution_cancel_path = path(
        "substitutions/<int:pk>/cancel/", SubstitutionCancelView.as_view(), name="substitution_cancel"
    )

    @property
    def index_path(self):
        return path("", HomeView.as_view(), name="index")
