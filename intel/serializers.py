"""API serializers for reference data: separate input and output shapes.

Inputs check types and formats (400 with field errors); the services check rules that
depend on stored data (409 duplicate, 422 e.g. a contract ending before it starts).
"""

from django.core.exceptions import ValidationError as DjangoValidationError
from rest_framework import serializers

from .models import NETWORK_FIELDS, PARTNER_FIELDS, BusinessPartner, KnownNetwork, ReferenceChange
from .validators import normalize_domain_strict, normalize_network


def _network(value: str) -> str:
    try:
        return normalize_network(value)
    except DjangoValidationError as exc:
        raise serializers.ValidationError(exc.messages) from None


def _domain(value: str) -> str:
    try:
        return normalize_domain_strict(value)
    except DjangoValidationError as exc:
        raise serializers.ValidationError(exc.messages) from None


def output_meta(model, entry_fields) -> type:
    """The Meta of a reference entry's output: its id, its fields and its timestamps, all
    read-only."""
    fields = ["id", *entry_fields, "created_at", "updated_at"]
    return type("Meta", (), {"model": model, "fields": fields, "read_only_fields": fields})


class NetworkOutput(serializers.ModelSerializer):
    Meta = output_meta(KnownNetwork, NETWORK_FIELDS)


class NetworkInput(serializers.Serializer):
    cidr = serializers.CharField(max_length=64, help_text="An IP address or CIDR network (IPv4 or IPv6).")
    list = serializers.ChoiceField(choices=KnownNetwork.List.choices)
    label = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")
    source = serializers.CharField(max_length=100, required=False, allow_blank=True, default="")
    expires_at = serializers.DateTimeField(required=False, allow_null=True, default=None)
    shared = serializers.BooleanField(
        required=False,
        default=False,
        help_text="Shared infrastructure (NAT egress, proxy, mail gateway): its addresses never join cases.",
    )

    def validate_cidr(self, value: str) -> str:
        return _network(value)


class NetworkPatch(NetworkInput):
    """Every field optional (PATCH)."""

    cidr = serializers.CharField(max_length=64, required=False)
    list = serializers.ChoiceField(choices=KnownNetwork.List.choices, required=False)
    label = serializers.CharField(max_length=200, required=False, allow_blank=True)
    source = serializers.CharField(max_length=100, required=False, allow_blank=True)
    expires_at = serializers.DateTimeField(required=False, allow_null=True)
    shared = serializers.BooleanField(required=False)


class PartnerOutput(serializers.ModelSerializer):
    Meta = output_meta(BusinessPartner, PARTNER_FIELDS)


class PartnerInput(serializers.Serializer):
    name = serializers.CharField(max_length=200)
    domains = serializers.ListField(child=serializers.CharField(max_length=253), required=False, default=list)
    networks = serializers.ListField(child=serializers.CharField(max_length=64), required=False, default=list)
    contract_start = serializers.DateField(required=False, allow_null=True, default=None)
    contract_end = serializers.DateField(required=False, allow_null=True, default=None)
    criticality = serializers.ChoiceField(
        choices=BusinessPartner.Criticality.choices,
        required=False,
        default=BusinessPartner.Criticality.MEDIUM,
    )
    contacts = serializers.CharField(required=False, allow_blank=True, default="")
    notes = serializers.CharField(required=False, allow_blank=True, default="")

    def validate_domains(self, values):
        return [_domain(v) for v in values]

    def validate_networks(self, values):
        return [_network(v) for v in values]


class PartnerPatch(PartnerInput):
    name = serializers.CharField(max_length=200, required=False)
    domains = serializers.ListField(child=serializers.CharField(max_length=253), required=False)
    networks = serializers.ListField(child=serializers.CharField(max_length=64), required=False)
    contract_start = serializers.DateField(required=False, allow_null=True)
    contract_end = serializers.DateField(required=False, allow_null=True)
    criticality = serializers.ChoiceField(choices=BusinessPartner.Criticality.choices, required=False)
    contacts = serializers.CharField(required=False, allow_blank=True)
    notes = serializers.CharField(required=False, allow_blank=True)


class ReferenceChangeOutput(serializers.ModelSerializer):
    """One audit row. `changes` maps each field to [before, after]; on an import summary
    (`action` import) it holds the counts and the file instead."""

    actor = serializers.CharField(source="actor_name", help_text="Username, or who acted without one.")
    changes = serializers.JSONField(help_text="{field: [before, after]}; an import: its counts and file.")
    batch = serializers.IntegerField(
        source="batch_id", allow_null=True, help_text="The import summary this row belongs to."
    )

    class Meta:
        model = ReferenceChange
        fields = [
            "id",
            "at",
            "actor",
            "kind",
            "object_id",
            "natural_key",
            "action",
            "via",
            "changes",
            "batch",
        ]
        read_only_fields = fields
