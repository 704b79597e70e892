from django.urls import include, path
from rest_framework.routers import DefaultRouter

from catalog.api import DataItemViewSet, DataResourceViewSet

router = DefaultRouter()
router.register("resources", DataResourceViewSet, basename="catalog-resource")
router.register("items", DataItemViewSet, basename="catalog-item")

urlpatterns = [path("catalog/", include(router.urls))]
