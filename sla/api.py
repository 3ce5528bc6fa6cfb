"""/api/v1/sla/policies/: the SLA targets. Everyone who sees cases may read them; only
SOC managers (sla.change_slapolicy) change them."""

from django.shortcuts import get_object_or_404
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from soc.permissions import require_perm

from .models import SlaPolicy
from .services import policies, sla_policy_update

CanView = require_perm("cases.view_case")
CanChange = require_perm("sla.change_slapolicy")
TARGETS = ["acknowledge_minutes", "t2_pickup_minutes", "containment_minutes", "resolution_minutes", "clock"]


class PolicyOutput(serializers.ModelSerializer):
    severity_label = serializers.CharField(source="get_severity_display")

    class Meta:
        model = SlaPolicy
        fields = ["id", "severity", "severity_label", *TARGETS, "updated_at"]


class PolicyInput(serializers.Serializer):
    acknowledge_minutes = serializers.IntegerField(min_value=1, required=False)
    t2_pickup_minutes = serializers.IntegerField(min_value=1, required=False)
    containment_minutes = serializers.IntegerField(min_value=1, required=False)
    resolution_minutes = serializers.IntegerField(min_value=1, required=False)
    clock = serializers.ChoiceField(choices=SlaPolicy.Clock.choices, required=False)


@extend_schema(tags=["sla"], responses={200: PolicyOutput(many=True)})
class PolicyListView(APIView):
    """The SLA policy of every severity (created from the settings when missing)."""

    permission_classes = [CanView]

    def get(self, request):
        rows = sorted(policies().values(), key=lambda policy: -policy.severity)
        return Response(PolicyOutput(rows, many=True).data)


class PolicyDetailView(APIView):
    permission_classes = [CanView]

    def get_permissions(self):
        return [CanChange()] if self.request.method == "PATCH" else super().get_permissions()

    @extend_schema(tags=["sla"], responses={200: PolicyOutput})
    def get(self, request, severity: int):
        policies()
        return Response(PolicyOutput(get_object_or_404(SlaPolicy, severity=severity)).data)

    @extend_schema(tags=["sla"], request=PolicyInput, responses={200: PolicyOutput})
    def patch(self, request, severity: int):
        policies()
        policy = get_object_or_404(SlaPolicy, severity=severity)
        data = PolicyInput(data=request.data)
        data.is_valid(raise_exception=True)
        policy = sla_policy_update(policy=policy, by=request.user, **data.validated_data)
        return Response(PolicyOutput(policy).data)
