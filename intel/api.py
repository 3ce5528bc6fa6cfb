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
from django.db.models import Model, Q
from django.shortcuts import get_object_or_404
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import generics, serializers, status
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


class ReferenceListView(generics.ListCreateAPIView):
    """A reference list; POST creates an entry through `create_entry` (an intel service)
    from `input_class` and answers with `serializer_class`."""

    permission_classes = [ReferencePermission]
    input_class: type[serializers.Serializer]

    def create_entry(self, **fields):
        raise NotImplementedError

    def post(self, request):
        data = self.input_class(data=request.data)
        data.is_valid(raise_exception=True)
        entry = self.create_entry(by=request.user, via=VIA_API, **data.validated_data)
        return Response(self.serializer_class(entry).data, status=status.HTTP_201_CREATED)


class ReferenceDetailView(generics.GenericAPIView):
    """One reference entry: read, change (PATCH with `patch_class`, PUT with `input_class`,
    through `update_entry`, an intel service) or delete."""

    permission_classes = [ReferencePermission]
    model: type[Model]
    input_class: type[serializers.Serializer]
    patch_class: type[serializers.Serializer]

    def update_entry(self, entry, **fields):
        raise NotImplementedError

    def _get(self, pk: int):
        return get_object_or_404(self.model, pk=pk)

    def get(self, request, pk: int):
        return Response(self.serializer_class(self._get(pk)).data)

    def patch(self, request, pk: int):
        return self._update(request, pk, self.patch_class)

    def put(self, request, pk: int):
        return self._update(request, pk, self.input_class)

    def _update(self, request, pk, serializer_class):
        entry = self._get(pk)
        data = serializer_class(data=request.data)
        data.is_valid(raise_exception=True)
        entry = self.update_entry(entry, by=request.user, via=VIA_API, **data.validated_data)
        return Response(self.serializer_class(entry).data)

    def delete(self, request, pk: int):
        services.reference_delete(by=request.user, entry=self._get(pk), via=VIA_API)
        return Response(status=status.HTTP_204_NO_CONTENT)


def reference_schema(view):
    """Describe a ReferenceListView or ReferenceDetailView subclass in the OpenAPI schema
    from its serializer attributes."""
    output = view.serializer_class
    if issubclass(view, ReferenceListView):
        methods = {"post": extend_schema(request=view.input_class, responses={201: output, **ERRORS})}
    else:
        methods = {
            "get": extend_schema(responses={200: output, **ERRORS}),
            "patch": extend_schema(request=view.patch_class, responses={200: output, **ERRORS}),
            "put": extend_schema(request=view.input_class, responses={200: output, **ERRORS}),
            "delete": extend_schema(responses={204: None, **ERRORS}),
        }
    return extend_schema(tags=["reference data"])(extend_schema_view(**methods)(view))


@reference_schema
class NetworkListView(ReferenceListView):
    """Known networks (benign, malicious, internal lists); filter by `list`, `source`, `q`."""

    serializer_class = s.NetworkOutput
    input_class = s.NetworkInput
    filterset_class = NetworkFilter
    queryset = KnownNetwork.objects.order_by("list", "cidr", "pk")

    def create_entry(self, **fields):
        return services.network_create(**fields)


@reference_schema
class NetworkDetailView(ReferenceDetailView):
    """One known network: read, change (PATCH/PUT) or delete."""

    model = KnownNetwork
    serializer_class = s.NetworkOutput
    input_class = s.NetworkInput
    patch_class = s.NetworkPatch

    def update_entry(self, entry, **fields):
        return services.network_update(network=entry, **fields)


@reference_schema
class PartnerListView(ReferenceListView):
    """Business partners with their domains, networks and contract dates."""

    serializer_class = s.PartnerOutput
    input_class = s.PartnerInput
    filterset_class = PartnerFilter
    queryset = BusinessPartner.objects.order_by("name", "pk")

    def create_entry(self, **fields):
        return services.partner_create(**fields)


@reference_schema
class PartnerDetailView(ReferenceDetailView):
    """One business partner: read, change (PATCH/PUT) or delete."""

    model = BusinessPartner
    serializer_class = s.PartnerOutput
    input_class = s.PartnerInput
    patch_class = s.PartnerPatch

    def update_entry(self, entry, **fields):
        return services.partner_update(partner=entry, **fields)


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
