"""Reference-data API: known networks and business partners, for SOC managers.

Who may do what (decided here, tested in tests/intel/test_api.py):
- SOC managers (intel.manage_reference): list, read, create, update, delete;
- analysts (cases.view_case): read only, because they judge the assistant's evidence
  against these lists; writes get 403;
- users without a role, and ingest tokens: 403; anonymous: 401.
The audit trail (/api/v1/reference/changes/) is for SOC managers and superusers only
(intel.view_referencechange); analysts get 403.
"""

from __future__ import annotations

import django_filters
from django.db.models import Q
from django.shortcuts import get_object_or_404
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import generics, status
from rest_framework.permissions import SAFE_METHODS
from rest_framework.response import Response

from soc.permissions import IsUserNotIngestToken, require_perm

from . import serializers as s
from . import services
from .models import BusinessPartner, KnownNetwork, ReferenceChange

VIA_API = ReferenceChange.Via.API


class ReferencePermission(IsUserNotIngestToken):
    message = "Reading reference data needs an analyst role; changing it needs the SOC Manager role."

    def has_permission(self, request, view):
        if not super().has_permission(request, view):
            return False
        user = request.user
        if user.has_perm(services.MANAGE_PERMISSION):
            return True
        return request.method in SAFE_METHODS and user.has_perm("cases.view_case")


ERRORS = {
    400: OpenApiResponse(description="Invalid fields (`errors` maps each field to its problems)."),
    401: OpenApiResponse(description="Not authenticated."),
    403: OpenApiResponse(description="Your role (or an ingest token) may not do this."),
    404: OpenApiResponse(description="No such entry."),
    409: OpenApiResponse(description="The entry already exists."),
    422: OpenApiResponse(description="A rule refused the change (e.g. contract end before start)."),
}


class NetworkFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(method="search", label="Search cidr, label or source")

    class Meta:
        model = KnownNetwork
        fields = ["list", "source"]

    def search(self, queryset, name, value):
        return queryset.filter(
            Q(cidr__icontains=value) | Q(label__icontains=value) | Q(source__icontains=value)
        )


class PartnerFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(field_name="name", lookup_expr="icontains", label="Search by name")

    class Meta:
        model = BusinessPartner
        fields = ["criticality"]


@extend_schema(tags=["reference data"])
class NetworkListView(generics.ListCreateAPIView):
    """Known networks (benign, malicious, internal lists); filter by `list`, `source`, `q`."""

    permission_classes = [ReferencePermission]
    serializer_class = s.NetworkOutput
    filterset_class = NetworkFilter
    queryset = KnownNetwork.objects.order_by("list", "cidr", "pk")

    @extend_schema(request=s.NetworkInput, responses={201: s.NetworkOutput, **ERRORS})
    def post(self, request):
        data = s.NetworkInput(data=request.data)
        data.is_valid(raise_exception=True)
        network = services.network_create(by=request.user, via=VIA_API, **data.validated_data)
        return Response(s.NetworkOutput(network).data, status=status.HTTP_201_CREATED)


@extend_schema(tags=["reference data"])
class NetworkDetailView(generics.GenericAPIView):
    """One known network: read, change (PATCH/PUT) or delete."""

    permission_classes = [ReferencePermission]
    serializer_class = s.NetworkOutput

    def _get(self, pk: int) -> KnownNetwork:
        return get_object_or_404(KnownNetwork, pk=pk)

    @extend_schema(responses={200: s.NetworkOutput, **ERRORS})
    def get(self, request, pk: int):
        return Response(s.NetworkOutput(self._get(pk)).data)

    @extend_schema(request=s.NetworkPatch, responses={200: s.NetworkOutput, **ERRORS})
    def patch(self, request, pk: int):
        return self._update(request, pk, s.NetworkPatch)

    @extend_schema(request=s.NetworkInput, responses={200: s.NetworkOutput, **ERRORS})
    def put(self, request, pk: int):
        return self._update(request, pk, s.NetworkInput)

    def _update(self, request, pk, serializer_class):
        network = self._get(pk)
        data = serializer_class(data=request.data)
        data.is_valid(raise_exception=True)
        network = services.network_update(
            by=request.user, network=network, via=VIA_API, **data.validated_data
        )
        return Response(s.NetworkOutput(network).data)

    @extend_schema(responses={204: None, **ERRORS})
    def delete(self, request, pk: int):
        services.reference_delete(by=request.user, entry=self._get(pk), via=VIA_API)
        return Response(status=status.HTTP_204_NO_CONTENT)


@extend_schema(tags=["reference data"])
class PartnerListView(generics.ListCreateAPIView):
    """Business partners with their domains, networks and contract dates."""

    permission_classes = [ReferencePermission]
    serializer_class = s.PartnerOutput
    filterset_class = PartnerFilter
    queryset = BusinessPartner.objects.order_by("name", "pk")

    @extend_schema(request=s.PartnerInput, responses={201: s.PartnerOutput, **ERRORS})
    def post(self, request):
        data = s.PartnerInput(data=request.data)
        data.is_valid(raise_exception=True)
        partner = services.partner_create(by=request.user, via=VIA_API, **data.validated_data)
        return Response(s.PartnerOutput(partner).data, status=status.HTTP_201_CREATED)


@extend_schema(tags=["reference data"])
class PartnerDetailView(generics.GenericAPIView):
    """One business partner: read, change (PATCH/PUT) or delete."""

    permission_classes = [ReferencePermission]
    serializer_class = s.PartnerOutput

    def _get(self, pk: int) -> BusinessPartner:
        return get_object_or_404(BusinessPartner, pk=pk)

    @extend_schema(responses={200: s.PartnerOutput, **ERRORS})
    def get(self, request, pk: int):
        return Response(s.PartnerOutput(self._get(pk)).data)

    @extend_schema(request=s.PartnerPatch, responses={200: s.PartnerOutput, **ERRORS})
    def patch(self, request, pk: int):
        return self._update(request, pk, s.PartnerPatch)

    @extend_schema(request=s.PartnerInput, responses={200: s.PartnerOutput, **ERRORS})
    def put(self, request, pk: int):
        return self._update(request, pk, s.PartnerInput)

    def _update(self, request, pk, serializer_class):
        partner = self._get(pk)
        data = serializer_class(data=request.data)
        data.is_valid(raise_exception=True)
        partner = services.partner_update(
            by=request.user, partner=partner, via=VIA_API, **data.validated_data
        )
        return Response(s.PartnerOutput(partner).data)

    @extend_schema(responses={204: None, **ERRORS})
    def delete(self, request, pk: int):
        services.reference_delete(by=request.user, entry=self._get(pk), via=VIA_API)
        return Response(status=status.HTTP_204_NO_CONTENT)


class ChangeFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(
        field_name="natural_key",
        lookup_expr="icontains",
        label="Search the natural key (cidr, partner name, file)",
    )
    actor = django_filters.CharFilter(field_name="actor_name", label="Username (or who acted without one)")
    since = django_filters.IsoDateTimeFilter(
        field_name="at", lookup_expr="gte", label="At or after (ISO 8601)"
    )
    until = django_filters.IsoDateTimeFilter(field_name="at", lookup_expr="lt", label="Before (ISO 8601)")

    class Meta:
        model = ReferenceChange
        fields = ["kind", "action", "via", "object_id", "batch"]


@extend_schema(
    tags=["reference data"],
    responses={200: s.ReferenceChangeOutput(many=True), **{code: ERRORS[code] for code in (400, 401, 403)}},
)
class ChangeListView(generics.ListAPIView):
    """The audit trail of reference data, newest first: who changed which known network or
    partner, when, through which path, and each field's [before, after]. SOC managers only."""

    permission_classes = [require_perm(services.VIEW_CHANGES_PERMISSION)]
    serializer_class = s.ReferenceChangeOutput
    filterset_class = ChangeFilter
    queryset = ReferenceChange.objects.order_by("-at", "-id")
