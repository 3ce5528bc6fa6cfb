"""The case page and its in-place fragments (steps, recommendation, timeline, comments).

Every fragment endpoint authorises like the page (a client can ask for a bare partial);
every write works as a plain POST + redirect and, with htmx, returns the fresh fragment.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import permission_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from cases import selectors
from cases.forms import TRANSITION_FORMS, CommentForm, StepForm, transition_form
from cases.models import CaseStep
from cases.services.comments import comment_add as comment_add_service
from cases.services.recommendation import recommend
from cases.services.steps import can_edit_step, case_step_update, suggestion_as_value
from cases.services.workflow import available_actions
from soc.errors import DomainError, NotAllowed

from ._common import error_text, flash_domain_error, form_error_text
from .playbook import attach_playbook_form

TEMPLATE = "cases/case_detail.html"


def decorate_step(case, step: CaseStep, user) -> CaseStep:
    """Attach what the step fragment shows (no queries: case.assignee and perms are loaded)."""
    step.editable = can_edit_step(case, step, user)
    step.choices = [(v, CaseStep.Value(v).label) for v in step.allowed_values() if v]
    step.suggested_value = suggestion_as_value(step)
    step.suggested_label = CaseStep.Value(step.suggested_value).label if step.suggested_value else ""
    return step


def transition_forms(case, actions: list[str]) -> dict:
    """The forms of the actions the user may take now (others are not shown)."""
    return {action: transition_form(action, case) for action in actions if action in TRANSITION_FORMS}


def case_page_context(request, case) -> dict:
    user = request.user
    steps = [decorate_step(case, s, user) for s in selectors.case_steps(case)]
    actions = available_actions(case, user)
    show_summary = bool(case.escalated_at) or case.tier == case.Tier.T2
    return {
        "case": case,
        "alerts": selectors.case_alerts(case),
        "case_observables": selectors.case_observables(case),
        "sections": selectors.group_sections(steps),
        "recommendation": recommend(case, steps),
        "actions": actions,
        "forms": transition_forms(case, actions),
        "events": selectors.case_events(case),
        "comments": selectors.case_comments(case),
        "comment_form": CommentForm(),
        "summary": selectors.l1_summary(case, steps) if show_summary else None,
        "attach_playbook_form": attach_playbook_form(case, user),
    }


@require_GET
@permission_required("cases.view_case", raise_exception=True)
def case_detail(request, pk: int):
    case = selectors.get_case_for_user(request.user, pk)
    return render(request, TEMPLATE, case_page_context(request, case))


@require_http_methods(["GET", "POST"])
@permission_required("cases.view_case", raise_exception=True)
def case_step(request, pk: int, step_pk: int):
    """GET: the step's fragment. POST: save it (value and note)."""
    case = selectors.get_case_for_user(request.user, pk)
    step = get_object_or_404(case.steps.select_related("item", "updated_by"), pk=step_pk)
    error = ""
    if request.method == "POST":
        form = StepForm(request.POST, step=step)
        try:
            if not form.is_valid():
                raise DomainError(form_error_text(form))
            case_step_update(
                step=step,
                # A field absent from the POST keeps its value (e.g. a note-only save).
                value=form.cleaned_data["value"] if "value" in request.POST else None,
                note=form.cleaned_data["note"] if "note" in request.POST else None,
                by=request.user,
            )
        except NotAllowed as exc:
            raise PermissionDenied(exc.message) from exc
        except DomainError as exc:
            error = error_text(exc)
            if not request.htmx:
                messages.error(request, error)
        if not request.htmx:
            return redirect(reverse("cases:detail", args=[case.pk]) + f"#step-{step.pk}")
        step = case.steps.select_related("item", "updated_by").get(pk=step.pk)
    response = render(
        request,
        TEMPLATE + "#step",
        {"case": case, "step": decorate_step(case, step, request.user), "error": error},
    )
    if request.method == "POST" and not error:
        # The recommendation and the timeline listen for this and refresh themselves.
        response["HX-Trigger"] = "case-changed"
    return response


@require_GET
@permission_required("cases.view_case", raise_exception=True)
def case_recommendation(request, pk: int):
    case = selectors.get_case_for_user(request.user, pk)
    steps = selectors.case_steps(case)
    return render(
        request, TEMPLATE + "#recommendation", {"case": case, "recommendation": recommend(case, steps)}
    )


@require_GET
@permission_required("cases.view_case", raise_exception=True)
def case_timeline(request, pk: int):
    case = selectors.get_case_for_user(request.user, pk)
    return render(
        request,
        TEMPLATE + "#timeline",
        {"case": case, "events": selectors.case_events(case), "comments": selectors.case_comments(case)},
    )


@require_POST
@permission_required("cases.add_comment", raise_exception=True)
def comment_add(request, pk: int):
    case = selectors.get_case_for_user(request.user, pk)
    form = CommentForm(request.POST)
    if not form.is_valid():
        messages.error(request, form_error_text(form))
    else:
        try:
            comment_add_service(case=case, body=form.cleaned_data["body"], by=request.user)
        except DomainError as exc:
            flash_domain_error(request, exc)
    if request.htmx:
        return render(
            request,
            TEMPLATE + "#timeline",
            {
                "case": case,
                "events": selectors.case_events(case),
                "comments": selectors.case_comments(case),
                "comment_form": CommentForm(),
            },
        )
    return redirect(reverse("cases:detail", args=[case.pk]) + "#timeline")
