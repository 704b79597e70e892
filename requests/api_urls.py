from django.urls import path

from requests.api import GrantCheckView

urlpatterns = [path("check", GrantCheckView.as_view(), name="grant-check")]
