from django.urls import path

from pdf_templates.views import VerifyView

urlpatterns = [
    path("", VerifyView.as_view(), name="verify_upload"),
    path("<str:code>", VerifyView.as_view(), name="verify"),
]
