from django.urls import path
from viewflow.workflow.flow import FlowViewset

from tests.probe.flows import ApprovalProbeFlow

urlpatterns = [path("probe/", FlowViewset(ApprovalProbeFlow).urls)]
