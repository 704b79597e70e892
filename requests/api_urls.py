from django.urls import re_path

from requests.api import GrantCheckView

urlpatterns = [re_path(r"^check/?$", GrantCheckView.as_view(), name="grant-check")]
