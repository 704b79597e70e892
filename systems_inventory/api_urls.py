from django.urls import include, path
from rest_framework.routers import SimpleRouter

from systems_inventory.api import InfoSystemViewSet

router = SimpleRouter()
router.register("", InfoSystemViewSet, basename="systems")

urlpatterns = [path("", include(router.urls))]
