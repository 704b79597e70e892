from django.urls import path

from project_approvals.api import ProjectGateView, SystemOmGateView

urlpatterns = [
    path("projects/<str:code>", ProjectGateView.as_view(), name="gate-project"),
    path("systems/<str:code>/om", SystemOmGateView.as_view(), name="gate-system-om"),
]
