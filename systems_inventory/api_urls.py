from django.urls import include, path
from rest_framework.routers import SimpleRouter

from systems_inventory.api import ActivityPushView, InfoSystemViewSet

router = SimpleRouter()
router.register("", InfoSystemViewSet, basename="systems")

urlpatterns = [path("activity", ActivityPushView.as_view(), name="system-activity"), path("", include(router.urls))]
