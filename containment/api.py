"""Containment API (DRF), calling the same services as the HTML panel.

Reads need `cases.view_case`; writes need `containment.request_action`, and the services
add the rest (approval by a SOC manager, never one's own). Errors: 403 role, 404 unknown,
409 wrong status (with `current_status`), 422 guardrail (with `rule`), 400 fields.
"""

from django.shortcuts import get_object_or_404
from drf_spectacular.utils import OpenApiExample, OpenApiResponse, extend_schema
from rest_framework import status
from rest_framework.response import Response
from rest_framework.views import APIView

from cases.selectors import get_case_for_user
from soc.api import NOT_AUTHENTICATED, error_response
from soc.permissions import require_perm

from . import services
from .models import ContainmentAction
from .serializers import ActionOutput, ActionRequestInput, ManualStepInput, RejectInput, RevertInput

CanView = require_perm("cases.view_case")
CanAct = require_perm("containment.request_action")

ERRORS = {
    400: error_response("Invalid fields (e.g. a target that is not an IP)."),
    401: NOT_AUTHENTICATED,
    403: error_response("Your role may not do this (or it is your own request)."),
    404: error_response("No such case or action."),
    409: error_response(
        "The action's (or case's) status does not allow this now.",
        examples=[
            OpenApiExample(
                "Not failed",
                value={
                    "status": 409,
                    "code": "conflict",
                    "detail": "This action is succeeded; it cannot be retried.",
                    "current_status": "succeeded",
                },
            )
        ],
    ),
    422: error_response(
        "A guardrail refuses the action; `rule` names it.",
        examples=[
            OpenApiExample(
                "Internal range",
                value={
                    "status": 422,
                    "code": "refused",
                    "detail": "10.1.2.3 overlaps internal address space 10.0.0.0/8.",
                    "rule": "internal_range",
                    "rules": [{"rule": "internal_range", "message": "...", "overridable": True}],
                    "overridable": True,
                },
            )
        ],
    ),
}


def _action(request, pk: int) -> ContainmentAction:
    return get_object_or_404(
        ContainmentAction.objects.visible_to(request.user).select_related(
            "case", "requested_by", "approved_by", "overridden_by", "owner"
        ),
        pk=pk,
    )


def _out(request, action: ContainmentAction, code=status.HTTP_200_OK) -> Response:
    fresh = ContainmentAction.objects.select_related(
        "case", "requested_by", "approved_by", "overridden_by", "owner"
    ).get(pk=action.pk)
    return Response(ActionOutput(fresh, context={"request": request}).data, status=code)


class CaseActionsView(APIView):
    """A case's containment actions (GET) and requesting a new one (POST)."""

    def get_permissions(self):
        return [CanAct() if self.request.method == "POST" else CanView()]

    @extend_schema(tags=["containment"], responses={200: ActionOutput(many=True), **ERRORS})
    def get(self, request, case_id: int):
        case = get_case_for_user(request.user, case_id)
        actions = case.actions.select_related("case", "requested_by", "approved_by", "overridden_by", "owner")
        return Response(
            ActionOutput(actions.order_by("created_at", "id"), many=True, context={"request": request}).data
        )

    @extend_schema(
        tags=["containment"],
        request=ActionRequestInput,
        responses={
            201: OpenApiResponse(
                ActionOutput, description="Requested: queued, or proposed when it needs approval."
            ),
            200: OpenApiResponse(
                ActionOutput, description="The same action is already open; returned unchanged."
            ),
            **ERRORS,
        },
    )
    def post(self, request, case_id: int):
        case = get_case_for_user(request.user, case_id)
        data = ActionRequestInput(data=request.data, context={"case": case})
        data.is_valid(raise_exception=True)
        action = services.action_request(case=case, by=request.user, **data.validated_data)
        return _out(request, action, status.HTTP_201_CREATED if action.is_new else status.HTTP_200_OK)


class ActionDetailView(APIView):
    """One action (GET); manual steps' owner, due date, note and done state (PATCH)."""

    def get_permissions(self):
        return [CanAct() if self.request.method == "PATCH" else CanView()]

    @extend_schema(tags=["containment"], responses={200: ActionOutput, **ERRORS})
    def get(self, request, pk: int):
        return _out(request, _action(request, pk))

    @extend_schema(tags=["containment"], request=ManualStepInput, responses={200: ActionOutput, **ERRORS})
    def patch(self, request, pk: int):
        action = _action(request, pk)
        data = ManualStepInput(data=request.data, partial=True)
        data.is_valid(raise_exception=True)
        services.action_manual_update(action=action, by=request.user, **data.validated_data)
        return _out(request, action)


class _ActionCommand(APIView):
    permission_classes = [CanAct]
    input_class = None

    def run(self, action, by, **data):
        raise NotImplementedError

    def post(self, request, pk: int):
        action = _action(request, pk)
        data = {}
        if self.input_class is not None:
            serializer = self.input_class(data=request.data)
            serializer.is_valid(raise_exception=True)
            data = serializer.validated_data
        self.run(action, request.user, **data)
        return _out(request, action)


@extend_schema(tags=["containment"], request=None, responses={200: ActionOutput, **ERRORS})
class ApproveView(_ActionCommand):
    """Approve a proposed action (SOC manager, or a second T2 when configured; not your own).
    It is queued at once."""

    def run(self, action, by, **data):
        services.action_approve(action=action, by=by)


@extend_schema(tags=["containment"], request=RejectInput, responses={200: ActionOutput, **ERRORS})
class RejectView(_ActionCommand):
    """Reject a proposed action (an approver), or withdraw your own."""

    input_class = RejectInput

    def run(self, action, by, **data):
        services.action_reject(action=action, by=by, **data)


@extend_schema(tags=["containment"], request=None, responses={200: ActionOutput, **ERRORS})
class RetryView(_ActionCommand):
    """Queue a failed action again."""

    def run(self, action, by, **data):
        services.action_retry(action=action, by=by)


@extend_schema(tags=["containment"], request=RevertInput, responses={200: ActionOutput, **ERRORS})
class RevertView(_ActionCommand):
    """Undo a succeeded (or failed) action through the connector: unblock, re-enable.
    Answers with the action in status `reverting`; poll it for `reverted`."""

    input_class = RevertInput

    def run(self, action, by, **data):
        services.action_revert(action=action, by=by, **data)
