"""API input and output shapes for containment actions."""

from rest_framework import serializers

from cases.resolvers import for_api, resolve_playbook_item, resolve_team_member
from playbooks.registry import ActionKey

from .models import ContainmentAction
from .visibility import redact_result, redact_text


def _username(user) -> str | None:
    return user.get_username() if user else None


class ActionOutput(serializers.ModelSerializer):
    case_reference = serializers.CharField(source="case.reference", read_only=True)
    requested_by = serializers.SerializerMethodField()
    approved_by = serializers.SerializerMethodField()
    overridden_by = serializers.SerializerMethodField()
    owner = serializers.SerializerMethodField()
    status_label = serializers.CharField(source="get_status_display", read_only=True)
    # Connector configuration only for managers (containment.visibility); without a request
    # in the context nobody is known, so it is left out.
    result = serializers.SerializerMethodField()
    last_error = serializers.SerializerMethodField()

    class Meta:
        model = ContainmentAction
        fields = [
            "id",
            "case",
            "case_reference",
            "kind",
            "target",
            "connector",
            "status",
            "status_label",
            "reason",
            "requested_by",
            "approved_by",
            "sensitive_reasons",
            "override_reason",
            "overridden_rules",
            "overridden_by",
            "attempts",
            "revert_attempts",
            "last_error",
            "result",
            "expires_at",
            "owner",
            "due_at",
            "note",
            "created_at",
            "updated_at",
            "approved_at",
            "queued_at",
            "started_at",
            "finished_at",
            "reverted_at",
        ]
        read_only_fields = fields

    def get_requested_by(self, obj) -> str | None:
        return _username(obj.requested_by)

    def get_approved_by(self, obj) -> str | None:
        return _username(obj.approved_by)

    def get_overridden_by(self, obj) -> str | None:
        return _username(obj.overridden_by)

    def get_owner(self, obj) -> str | None:
        return _username(obj.owner)

    def _viewer(self):
        request = self.context.get("request")
        return getattr(request, "user", None)

    def get_result(self, obj) -> dict:
        return redact_result(obj.result, self._viewer())

    def get_last_error(self, obj) -> str:
        return redact_text(obj.last_error, self._viewer())


class ActionRequestInput(serializers.Serializer):
    kind = serializers.ChoiceField(choices=ActionKey.choices)
    target = serializers.CharField(
        max_length=255,
        help_text="An IP or CIDR (block_ip), an account name (disable_account), a title (manual).",
    )
    reason = serializers.CharField(required=False, allow_blank=True, default="")
    expires_in = serializers.IntegerField(
        required=False,
        allow_null=True,
        min_value=0,
        max_value=10 * 365 * 24 * 3600,
        default=None,
        help_text="Seconds until Vigil reverts the action; 0 = never; omitted = the default for the kind "
        "(blocks: CONTAINMENT_DEFAULT_BLOCK_HOURS, accounts: until reverted).",
    )
    override_reason = serializers.CharField(
        required=False,
        allow_blank=True,
        default="",
        help_text="SOC managers: the reason for overriding the guardrails this request breaks.",
    )
    playbook_item = serializers.IntegerField(
        required=False,
        allow_null=True,
        default=None,
        help_text="The id of the item of the case's playbook this action carries out (its step is "
        "ticked when the action succeeds).",
    )

    def validate_playbook_item(self, value):
        return for_api(resolve_playbook_item, self.context["case"], value) if value is not None else None


class RejectInput(serializers.Serializer):
    reason = serializers.CharField(required=False, allow_blank=True, default="")


class RevertInput(serializers.Serializer):
    reason = serializers.CharField(required=False, allow_blank=True, default="")


class ManualStepInput(serializers.Serializer):
    owner = serializers.CharField(
        required=False,
        allow_null=True,
        allow_blank=True,
        help_text="Username of a SOC team member; null: nobody.",
    )
    due_at = serializers.DateTimeField(required=False, allow_null=True)
    note = serializers.CharField(required=False, allow_blank=True)
    done = serializers.BooleanField(required=False)

    def validate_owner(self, value):
        given = (value or "").strip()
        return for_api(resolve_team_member, given) if given else None
