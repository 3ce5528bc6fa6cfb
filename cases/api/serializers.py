"""Serializers of the analyst API: output shapes and, separately, the input of each action.

Output serializers only read what cases.selectors loaded (no query per row); input
serializers only parse. The services decide what is allowed. Links are absolute URLs
(built from the request in the serializer's context); every field that can be null is
declared nullable (tests/soc/test_openapi_responses.py validates live answers).
"""

from __future__ import annotations

from django.urls import reverse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from cases import extensions
from cases.models import Alert, Case, CaseEvent, CaseObservable, CaseStep, Comment
from cases.resolvers import for_api, resolve_assignee, resolve_case, resolve_criteria
from cases.services.comments import render_markdown
from cases.services.workflow import L1_RESOLUTIONS, T2_RESOLUTIONS
from soc.api import ErrorOutput  # noqa: F401  (the case API's responses name it s.ErrorOutput)

# --- output -------------------------------------------------------------------------


class PlaybookRefOutput(serializers.Serializer):
    technique_id = serializers.CharField()
    name = serializers.CharField()
    version = serializers.IntegerField(source="number")


def absolute_url(serializer: serializers.Serializer, path: str) -> str:
    """`path` as an absolute URL for the request being answered (views pass it in the
    serializer's context; DRF's generic views do so themselves)."""
    return serializer.context["request"].build_absolute_uri(path)


class CaseOutput(serializers.ModelSerializer):
    """A case as lists show it."""

    severity_label = serializers.CharField(source="get_severity_display")
    assignee = serializers.SlugRelatedField(slug_field="username", read_only=True, allow_null=True)
    playbook = PlaybookRefOutput(source="playbook_version", allow_null=True)
    url = serializers.SerializerMethodField()
    html_url = serializers.SerializerMethodField()
    techniques = serializers.ListField(
        child=serializers.CharField(), help_text="Every technique of the case's alerts, in order of arrival."
    )
    flags = serializers.SerializerMethodField(
        help_text='What Vigil noticed, e.g. {"code": "unknown_technique", "detail": "T9999.999"} for a '
        "technique id the bundled ATT&CK catalogue does not know (kept, never routed as real)."
    )

    class Meta:
        model = Case
        fields = [
            "id",
            "reference",
            "title",
            "severity",
            "severity_label",
            "status",
            "tier",
            "assignee",
            "technique_id",
            "techniques",
            "flags",
            "playbook",
            "needs_playbook",
            "alert_count",
            "opened_at",
            "updated_at",
            "sla_due_at",
            "version",
            "url",
            "html_url",
        ]

    @extend_schema_field(
        {
            "type": "array",
            "items": {
                "type": "object",
                "properties": {"code": {"type": "string"}, "detail": {"type": "string"}},
            },
        }
    )
    def get_flags(self, case: Case) -> list[dict]:
        return [{"code": "unknown_technique", "detail": t} for t in case.unknown_techniques]

    @extend_schema_field(OpenApiTypes.URI)
    def get_url(self, case: Case) -> str:
        return absolute_url(self, reverse("api-case-detail", args=[case.pk]))

    @extend_schema_field(OpenApiTypes.URI)
    def get_html_url(self, case: Case) -> str:
        return absolute_url(self, reverse("cases:detail", args=[case.pk]))


class ObservableOutput(serializers.Serializer):
    id = serializers.IntegerField(source="observable.id")
    type = serializers.CharField(source="observable.type")
    value = serializers.CharField(source="observable.value")
    is_internal = serializers.BooleanField(source="observable.is_internal")
    enrichment = serializers.JSONField(
        source="observable.enrichment",
        help_text="Lookups true of the value everywhere ({assist key: {verdict, summary, ...}}).",
    )
    case_evidence = serializers.JSONField(
        source="enrichment",
        help_text="Evidence computed over this case's alerts only (related_activity, login_pattern).",
    )
    enriched_at = serializers.DateTimeField(
        source="observable.enriched_at", allow_null=True, help_text="Null until the first enrichment ran."
    )
    first_seen_at = serializers.DateTimeField()
    last_seen_at = serializers.DateTimeField()
    other_cases = serializers.IntegerField(help_text="How many other cases saw this observable.")

    class Meta:
        model = CaseObservable


class AlertSummaryOutput(serializers.ModelSerializer):
    source = serializers.SlugRelatedField(slug_field="name", read_only=True)

    class Meta:
        model = Alert
        fields = [
            "id",
            "source",
            "source_ref",
            "title",
            "description",
            "severity",
            "technique_ids",
            "observed_at",
            "received_at",
            "tags",
            "flags",
            "raw",
        ]


class AlertObservableOutput(serializers.Serializer):
    type = serializers.CharField(source="observable.type")
    value = serializers.CharField(source="observable.value")
    role = serializers.CharField()
    is_internal = serializers.BooleanField(source="observable.is_internal")


class AlertOutput(AlertSummaryOutput):
    case = serializers.PrimaryKeyRelatedField(read_only=True)
    case_reference = serializers.CharField(source="case.reference")
    observables = AlertObservableOutput(source="alert_observables", many=True)

    class Meta(AlertSummaryOutput.Meta):
        fields = [*AlertSummaryOutput.Meta.fields, "case", "case_reference", "observables"]


class StepOutput(serializers.ModelSerializer):
    text = serializers.CharField(source="item.text")
    assist = serializers.CharField(source="item.assist")
    action = serializers.CharField(source="item.action")
    allowed_values = serializers.SerializerMethodField()
    updated_by = serializers.SlugRelatedField(slug_field="username", read_only=True, allow_null=True)
    suggestion = serializers.JSONField(
        help_text='The assistant\'s view: {"answer": "yes|no|unknown", "reason": "...", "evidence": [...]}.'
    )

    class Meta:
        model = CaseStep
        fields = [
            "id",
            "section",
            "order",
            "text",
            "assist",
            "action",
            "value",
            "allowed_values",
            "note",
            "updated_by",
            "updated_at",
            "suggestion",
            "agreed_with_suggestion",
        ]

    def get_allowed_values(self, step: CaseStep) -> list[str]:
        return [v for v in step.allowed_values() if v]


class EventOutput(serializers.ModelSerializer):
    actor = serializers.SerializerMethodField()
    verb_label = serializers.CharField()

    class Meta:
        model = CaseEvent
        fields = ["id", "created_at", "verb", "verb_label", "actor", "data"]

    def get_actor(self, event: CaseEvent) -> str:
        return event.actor_label


class CommentOutput(serializers.ModelSerializer):
    author = serializers.SlugRelatedField(slug_field="username", read_only=True)
    html = serializers.SerializerMethodField(help_text="The body rendered as sanitized HTML.")

    class Meta:
        model = Comment
        fields = ["id", "author", "body", "html", "created_at"]

    def get_html(self, comment: Comment) -> str:
        return str(render_markdown(comment.body))


class RecommendationOutput(serializers.Serializer):
    decision = serializers.ChoiceField(choices=["escalate", "close"])
    reason = serializers.CharField()
    used_suggestions = serializers.BooleanField()
    criteria_met = serializers.ListField(child=serializers.CharField())


class CaseStateOutput(CaseOutput):
    """A case after an action: its state and what the caller may do next."""

    allowed_actions = serializers.SerializerMethodField()

    class Meta(CaseOutput.Meta):
        fields = [*CaseOutput.Meta.fields, "allowed_actions"]

    def get_allowed_actions(self, case: Case) -> list[str]:
        return self.context.get("allowed_actions", [])


class CaseDetailOutput(CaseStateOutput):
    duplicate_of = serializers.SlugRelatedField(slug_field="reference", read_only=True, allow_null=True)
    alerts = AlertSummaryOutput(many=True, source="page_alerts")
    observables = ObservableOutput(many=True, source="page_observables")
    steps = StepOutput(many=True, source="page_steps")
    timeline = EventOutput(many=True, source="page_events")
    comments = CommentOutput(many=True, source="page_comments")
    recommendation = RecommendationOutput(
        source="current_recommendation", help_text="Vigil's recommendation now, from the current answers."
    )
    decision_recommendation = serializers.JSONField(
        source="recommendation", help_text="The recommendation stored when L1 decided (escalate or close)."
    )

    class Meta(CaseStateOutput.Meta):
        fields = [
            *CaseStateOutput.Meta.fields,
            "first_observed_at",
            "last_observed_at",
            "acknowledged_at",
            "escalated_at",
            "contained_at",
            "resolved_at",
            "closed_at",
            "resolution",
            "resolution_note",
            "duplicate_of",
            "handoff_note",
            "override_reason",
            "recommendation",
            "decision_recommendation",
            "alerts",
            "observables",
            "steps",
            "timeline",
            "comments",
        ]

    def get_fields(self):
        """The declared fields, then those the apps above cases add (cases.extensions:
        containment's actions), read from `page_extensions`."""
        fields = super().get_fields()
        for extra in extensions.case_detail_fields():
            fields[extra.name] = extra.field(source=f"page_extensions.{extra.name}")
        return fields


# --- input --------------------------------------------------------------------------
# The action views give the input serializers the case and the acting user in their
# context ("case", "user"): references are resolved against them (cases.resolvers).


class VersionInput(serializers.Serializer):
    version = serializers.IntegerField(
        required=False,
        min_value=1,
        help_text="The case version you acted on; a stale one answers 409 (optimistic lock).",
    )


class AssignInput(VersionInput):
    assignee = serializers.CharField(help_text="Username of the analyst to assign.")

    def validate_assignee(self, value):
        return for_api(resolve_assignee, self.context["case"], value)


class EscalateInput(VersionInput):
    note = serializers.CharField(help_text="Hand-off note for T2.", allow_blank=True)
    criteria = serializers.ListField(
        child=serializers.IntegerField(),
        required=False,
        help_text="Ids of the escalation-criterion steps that are met (the others become not met).",
    )
    reason = serializers.CharField(
        required=False, allow_blank=True, default="", help_text="Required when Vigil recommends closing."
    )

    def validate_criteria(self, value):
        return [step.pk for step in for_api(resolve_criteria, self.context["case"], value)]


class NoteInput(VersionInput):
    note = serializers.CharField(allow_blank=True)


class CloseInput(VersionInput):
    resolution = serializers.ChoiceField(
        choices=[*L1_RESOLUTIONS], required=False, allow_blank=True, default=""
    )
    note = serializers.CharField(required=False, allow_blank=True, default="")
    duplicate_of = serializers.CharField(
        required=False, allow_blank=True, default="", help_text="Case id or reference, for duplicates."
    )
    reason = serializers.CharField(
        required=False, allow_blank=True, default="", help_text="Required when Vigil recommends escalating."
    )

    def validate_duplicate_of(self, value):
        given = (value or "").strip()
        return for_api(resolve_case, self.context["user"], given, field="duplicate_of") if given else None


class ResolveInput(VersionInput):
    summary = serializers.CharField(allow_blank=True)
    resolution = serializers.ChoiceField(choices=[*T2_RESOLUTIONS], default=Case.Resolution.TRUE_POSITIVE)


class StepInput(serializers.Serializer):
    answer = serializers.CharField(
        required=False, allow_blank=True, help_text="Questions: yes, no or unknown."
    )
    status = serializers.CharField(
        required=False,
        allow_blank=True,
        help_text="Other items: observed/not_observed/unknown, done/not_applicable, checked/unchecked.",
    )
    value = serializers.CharField(required=False, allow_blank=True, help_text="Same as answer/status.")
    note = serializers.CharField(required=False, allow_blank=True, max_length=10_000)

    def validate(self, attrs):
        given = [k for k in ("answer", "status", "value") if k in attrs]
        if len(given) > 1:
            raise serializers.ValidationError({given[1]: ["Give one of answer, status or value."]})
        if not given and "note" not in attrs:
            raise serializers.ValidationError({"answer": ["Give an answer (or status) and/or a note."]})
        return {"value": attrs[given[0]] if given else None, "note": attrs.get("note")}


class CommentInput(serializers.Serializer):
    body = serializers.CharField(max_length=20_000, help_text="Markdown; rendered sanitized.")
