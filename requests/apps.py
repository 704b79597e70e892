from django.apps import AppConfig


class RequestsConfig(AppConfig):
    name = "requests"
    label = "share_requests"
    verbose_name = "共享申请"
