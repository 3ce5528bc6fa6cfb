"""The analyst API: read cases and alerts, and drive the workflow (same services as the HTML).

Session or personal-token auth; ingest tokens get 403 (soc.permissions). Domain errors map
to 400 (missing fields, with ``errors``), 403 (role), 409 (state, with ``current_status``
and ``allowed``) through soc.api.exception_handler.
"""

from __future__ import annotations

from django.shortcuts import get_object_or_404
from drf_spectacular.utils import OpenApiExample, OpenApiResponse, extend_schema
from rest_framework import exceptions, generics, serializers, status
from rest_framework.renderers import JSONRenderer
from rest_framework.response import Response
from rest_framework.views import APIView

from cases import extensions, selectors
from cases.filters import CaseFilter
from cases.models import Alert, Case
from cases.services import workflow
from cases.services.comments import comment_add
from cases.services.recommendation import recommend
from cases.services.steps import case_step_update
from playbooks.attack import normalize_technique_id
from playbooks.models import PlaybookVersion
from soc.csv import CSVRenderer, csv_response
from soc.permissions import require_perm

from . import serializers as s

CanView = require_perm("cases.view_case")

ERRORS = {
    400: OpenApiResponse(s.ErrorOutput, description="Missing or invalid fields."),
    401: OpenApiResponse(s.ErrorOutput, description="Not authenticated."),
    403: OpenApiResponse(s.ErrorOutput, description="Your role (or an ingest token) may not do this."),
    404: OpenApiResponse(s.ErrorOutput, description="No such case."),
    409: OpenApiResponse(
        s.ErrorOutput,
        description="The case's state does not allow it now.",
        examples=[
            OpenApiExample(
                "Already claimed",
                value={
                    "status": 409,
                    "code": "conflict",
                    "detail": "CASE-2026-000123 was already claimed by alice.",
                    "current_status": "triage",
                    "allowed": ["assign"],
                    "version": 2,
                },
            )
        ],
    ),
}


def _state(case: Case, request) -> dict:
    context = {"allowed_actions": workflow.available_actions(case, request.user), "request": request}
    return s.CaseStateOutput(case, context=context).data


def _reload(user, pk: int) -> Case:
    return selectors.get_case_for_user(user, pk)


# --- reads ----------------------------------------------------------------------------


class AttachPlaybookInput(serializers.Serializer):
    technique_id = serializers.CharField(
        max_length=20, help_text="The published playbook to attach, e.g. T1591.002."
    )


@extend_schema(
    tags=["workflow"],
    summary="Attach a published playbook to a case that has none (T2 analysts, SOC managers)",
    request=AttachPlaybookInput,
    responses={200: s.CaseStateOutput, **ERRORS},
)
class AttachPlaybookView(APIView):
    permission_classes = [CanView]

    def post(self, request, pk: int):
        from cases.services.playbook_attach import can_attach_playbook, case_attach_playbook

        if not can_attach_playbook(request.user):
            raise exceptions.PermissionDenied("Only a T2 analyst or a SOC manager may attach a playbook.")
        case = selectors.get_case_for_user(request.user, pk)
        if not can_attach_playbook(request.user, case):
            raise exceptions.PermissionDenied(
                "Only the case's assignee or a SOC manager may attach a playbook."
            )
        data = _valid(AttachPlaybookInput, request)
        technique = normalize_technique_id(data["technique_id"])
        version = (
            PlaybookVersion.objects.published().filter(playbook__technique_id=technique).first()
            if technique
            else None
        )
        if version is None:
            raise exceptions.ValidationError(
                {"technique_id": ["No published playbook with this technique id."]}
            )
        case_attach_playbook(case=case, version=version, by=request.user)
        return Response(_state(_reload(request.user, pk), request))


@extend_schema(tags=["cases"])
class CaseListView(generics.ListAPIView):
    """Cases, newest first; filter by status, severity, technique, tier, assignee, observable
    value, SLA state or free text (`q`); sort with `o` (e.g. `-severity`). `format=csv`
    streams every matching case (no pagination) as CSV."""

    permission_classes = [CanView]
    serializer_class = s.CaseOutput
    filterset_class = CaseFilter
    renderer_classes = [JSONRenderer, CSVRenderer]

    def get_queryset(self):
        return Case.objects.visible_to(self.request.user).for_list().order_by("-opened_at", "-pk")

    def list(self, request, *args, **kwargs):
        if request.accepted_renderer.format == "csv":
            rows = self.filter_queryset(self.get_queryset()).values_list(*(c for c, _ in CSV_COLUMNS))
            # .iterator(): rows stream from a server-side cursor, never all in memory.
            return csv_response("vigil-cases.csv", [label for _, label in CSV_COLUMNS], rows.iterator(2000))
        return super().list(request, *args, **kwargs)


# The case list's CSV export (GET /api/v1/cases/?format=csv), in this order.
CSV_COLUMNS = [
    ("reference", "Case"),
    ("title", "Title"),
    ("severity", "Severity (1 low - 4 critical)"),
    ("status", "Status"),
    ("tier", "Tier"),
    ("technique_id", "Technique"),
    ("assignee__username", "Assignee"),
    ("alert_count", "Alerts"),
    ("opened_at", "Opened"),
    ("acknowledged_at", "Acknowledged"),
    ("escalated_at", "Escalated"),
    ("t2_picked_up_at", "T2 picked up"),
    ("resolved_at", "Resolved"),
    ("closed_at", "Closed"),
    ("resolution", "Resolution"),
    ("sla_stage", "SLA stage"),
    ("sla_stage_due_at", "SLA stage due"),
]


@extend_schema(tags=["cases"], responses={200: s.CaseDetailOutput, **ERRORS})
class CaseDetailView(APIView):
    """One case with its alerts, observables, playbook steps (with the assistant's
    suggestions), timeline, comments, containment actions and Vigil's current
    recommendation."""

    permission_classes = [CanView]

    def get(self, request, pk: int):
        case = selectors.get_case_for_user(request.user, pk)
        steps = selectors.case_steps(case)
        case.page_alerts = selectors.case_alerts(case)
        case.page_observables = selectors.case_observables(case)
        case.page_steps = steps
        case.page_events = selectors.case_events(case)
        case.page_comments = selectors.case_comments(case)
        case.current_recommendation = recommend(case, steps)
        case.page_extensions = extensions.case_detail_values(case)
        context = {"allowed_actions": workflow.available_actions(case, request.user), "request": request}
        return Response(s.CaseDetailOutput(case, context=context).data)


@extend_schema(tags=["alerts"], responses={200: s.AlertOutput, **ERRORS})
class AlertDetailView(APIView):
    """One alert as received (raw payload verbatim), with its observables and case."""

    permission_classes = [CanView]

    def get(self, request, pk: int):
        queryset = (
            Alert.objects.visible_to(request.user)
            .select_related("source", "case")
            .prefetch_related("alert_observables__observable")
        )
        return Response(s.AlertOutput(get_object_or_404(queryset, pk=pk)).data)


class CaseRowsView(generics.ListAPIView):
    """Rows of one case the caller may see (`rows(case)`), oldest first, unfiltered."""

    permission_classes = [CanView]
    filter_backends: list = []

    def rows(self, case: Case):  # pragma: no cover - abstract
        raise NotImplementedError

    def get_queryset(self):
        case = selectors.get_case_for_user(self.request.user, self.kwargs["pk"])
        return self.rows(case).order_by("created_at", "pk")


@extend_schema(tags=["cases"], responses={200: s.EventOutput(many=True), **ERRORS})
class TimelineView(CaseRowsView):
    """The case's timeline, oldest first (read-only: events are never edited or deleted)."""

    serializer_class = s.EventOutput

    def rows(self, case: Case):
        return case.events.select_related("actor", "actor_source")


@extend_schema(tags=["cases"])
class CommentsView(CaseRowsView):
    serializer_class = s.CommentOutput

    def rows(self, case: Case):
        return case.comments.select_related("author")

    @extend_schema(
        request=s.CommentInput,
        responses={201: s.CommentOutput, **ERRORS},
        examples=[OpenApiExample("Comment", value={"body": "Checked with **the partner**: expected."})],
    )
    def post(self, request, pk: int):
        case = selectors.get_case_for_user(request.user, pk)
        data = _valid(s.CommentInput, request)
        comment = comment_add(case=case, body=data["body"], by=request.user)
        return Response(s.CommentOutput(comment).data, status=status.HTTP_201_CREATED)


# --- actions --------------------------------------------------------------------------


def _valid(serializer_class, request, **context) -> dict:
    serializer = serializer_class(data=request.data, context=context)
    serializer.is_valid(raise_exception=True)
    return serializer.validated_data


class CaseActionView(APIView):
    """POST runs one workflow action on the case (the service the HTML form runs too,
    through workflow.perform) and answers the case's new state."""

    permission_classes = [CanView]
    action: workflow.Action
    input_serializer: type = s.VersionInput

    def post(self, request, pk: int):
        case = selectors.get_case_for_user(request.user, pk)
        data = _valid(self.input_serializer, request, case=case, user=request.user)
        workflow.perform(self.action, case=case, by=request.user, data=data)
        return Response(_state(_reload(request.user, pk), request))


# What each action endpoint's schema says: its summary, and an example of its input.
ACTION_SUMMARIES = {
    workflow.Action.CLAIM: "Claim a case (L1: new -> triage; T2: escalated -> investigating)",
    workflow.Action.UNASSIGN: "Unassign (back to its queue)",
    workflow.Action.ASSIGN: "Reassign to another analyst of the tier (managers: anyone)",
    workflow.Action.ESCALATE: "Escalate to T2 (every question answered, hand-off note; reason if against the recommendation)",
    workflow.Action.RETURN: "Return to L1 (T2, with a note)",
    workflow.Action.CLOSE: "Close (L1 from new/triage with a resolution and note; T2 from resolved)",
    workflow.Action.RESOLVE: "Resolve (T2 assignee, with a summary)",
    workflow.Action.REOPEN: "Reopen a resolved case (T2, with a note)",
}
ACTION_EXAMPLES = {
    workflow.Action.CLAIM: {"version": 1},
    workflow.Action.ASSIGN: {"assignee": "dave"},
    workflow.Action.ESCALATE: {
        "note": "Unknown IP probing partner pages; impersonation domain seen.",
        "criteria": [41],
        "reason": "",
    },
    workflow.Action.RETURN: {"note": "Please check the partner's contract."},
    workflow.Action.CLOSE: {
        "resolution": "benign",
        "note": "Partner's scheduled directory sync.",
        "reason": "",
    },
    workflow.Action.RESOLVE: {
        "summary": "Blocked 203.0.113.77; partner informed.",
        "resolution": "true_positive",
    },
    workflow.Action.REOPEN: {"note": "New alert from the same IP."},
}


def _action_view(action: workflow.Action, input_serializer=s.VersionInput) -> type[CaseActionView]:
    """The endpoint of `action` (ClaimView for "claim"...): its input and its schema."""
    name = f"{action.title()}View"
    attributes = {"__qualname__": name, "action": action, "input_serializer": input_serializer}
    view = type(name, (CaseActionView,), attributes)
    summary, example = ACTION_SUMMARIES[action], ACTION_EXAMPLES.get(action)
    return extend_schema(
        tags=["workflow"],
        summary=summary,
        request=input_serializer,
        responses={200: s.CaseStateOutput, **ERRORS},
        examples=[OpenApiExample(summary, value=example, request_only=True)] if example else [],
    )(view)


ClaimView = _action_view(workflow.Action.CLAIM)
UnassignView = _action_view(workflow.Action.UNASSIGN)
AssignView = _action_view(workflow.Action.ASSIGN, s.AssignInput)
EscalateView = _action_view(workflow.Action.ESCALATE, s.EscalateInput)
ReturnView = _action_view(workflow.Action.RETURN, s.NoteInput)
CloseView = _action_view(workflow.Action.CLOSE, s.CloseInput)
ResolveView = _action_view(workflow.Action.RESOLVE, s.ResolveInput)
ReopenView = _action_view(workflow.Action.REOPEN, s.NoteInput)


@extend_schema(
    tags=["workflow"],
    summary="Answer a question or mark an item (value and/or note)",
    request=s.StepInput,
    responses={200: s.StepOutput, **ERRORS},
    examples=[
        OpenApiExample("Answer a question", value={"answer": "no", "note": "Not in any known list."}),
        OpenApiExample("Mark an indicator", value={"status": "observed"}),
    ],
)
class StepView(APIView):
    permission_classes = [CanView]

    def patch(self, request, pk: int, step_pk: int):
        case = selectors.get_case_for_user(request.user, pk)
        step = get_object_or_404(case.steps.all(), pk=step_pk)
        data = _valid(s.StepInput, request)
        step = case_step_update(step=step, value=data["value"], note=data["note"], by=request.user)
        step = case.steps.select_related("item", "updated_by").get(pk=step.pk)
        return Response(s.StepOutput(step).data)
