from typing import TYPE_CHECKING, cast

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.shortcuts import redirect
from django.urls import path
from django.utils import timezone
from django.views import View
from django.views.generic import FormView, TemplateView
from viewflow.urls import Application

from organizations.forms import SubstitutionForm
from organizations.models import Substitution
from organizations.roles import is_bureau
from organizations.selectors import principals_of, substitutions_given, substitutions_taken
from workflows import home
from workflows.audit import client_ip
from workflows.substitutions import substitution_cancel, substitution_create
from workflows.workcalendar import missing_year_notices

if TYPE_CHECKING:
    from organizations.models import User


class HomeView(LoginRequiredMixin, TemplateView):
    template_name = "workflows/home.html"

    def get_context_data(self, **kwargs):
        user = cast("User", self.request.user)  # LoginRequiredMixin: never anonymous here
        return super().get_context_data(
            department=user.department,
            roles=user.role_labels(),
            acting_for=list(principals_of(user)),
            # The bureau tells the operators when a year's holiday arrangements must be entered.
            calendar_notices=missing_year_notices(timezone.localdate()) if is_bureau(user) else [],
            panels=home.panels_for(user),  # what each of the user's roles has to do next (workflows.home)
            **kwargs,
        )


class SubstitutionsView(LoginRequiredMixin, FormView):
    """My absences: whom I named to act for me, and who named me."""

    template_name = "workflows/substitutions.html"
    form_class = SubstitutionForm

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "principal": self.request.user}

    def get_context_data(self, **kwargs):
        user = cast("User", self.request.user)  # LoginRequiredMixin: never anonymous here
        return super().get_context_data(
            given=substitutions_given(user),
            taken=substitutions_taken(user),
            max_days=settings.SUBSTITUTION_MAX_DAYS,
            **kwargs,
        )

    def form_valid(self, form):
        substitution_create(
            actor=cast("User", self.request.user), substitution=form.instance, ip=client_ip(self.request)
        )
        messages.success(self.request, "已设置代理人。")
        return redirect(self.request.path)


class SubstitutionCancelView(LoginRequiredMixin, View):
    def post(self, request, pk: int):
        substitution = Substitution.objects.filter(pk=pk, principal=request.user).first()
        if substitution is None:
            # Cancelled already (a second click, or the back button): cancelling deletes it. Someone else's
            # gets the same answer, which gives no hint that it exists.
            messages.info(request, "该代理已不存在（可能已经撤销），无需再次撤销。")
        else:
            substitution_cancel(actor=request.user, obj=substitution, ip=client_ip(request))
            messages.success(request, "已撤销代理。")
        return redirect("home:substitutions")


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
