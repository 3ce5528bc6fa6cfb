"""Test-only API endpoints (used with @pytest.mark.urls) that exercise every error path
through the project's DRF settings: authentication, permissions, parsers, exception handler."""

from django.http import Http404
from django.urls import path
from rest_framework import serializers
from rest_framework.decorators import api_view, permission_classes
from rest_framework.response import Response

from soc.permissions import require_perm

handler404 = "soc.views.not_found"


class ProbeInput(serializers.Serializer):
    name = serializers.CharField(max_length=20)
    count = serializers.IntegerField(min_value=0)


@api_view(["POST"])
def probe(request):
    data = ProbeInput(data=request.data)
    data.is_valid(raise_exception=True)
    return Response(data.validated_data, status=201)


@api_view(["GET"])
@permission_classes([require_perm("cases.assign_any")])
def managers_only(request):
    return Response({"ok": True})


@api_view(["GET"])
def missing(request):
    raise Http404("No such probe.")


urlpatterns = [
    path("api/test/probe", probe),
    path("api/test/managers-only", managers_only),
    path("api/test/missing", missing),
]
