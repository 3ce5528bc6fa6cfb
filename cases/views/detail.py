"""The decision-first case page and its in-place fragments (steps, recommendation,
alerts, timeline, comments).

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

from cases import case_page, selectors
from cases.forms import TRANSITION_FORMS, CommentForm, ObservableAddForm, StepForm, transition_form
from cases.models import Alert
from cases.models.alerts import Severity
from cases.services.comments import comment_add as comment_add_service
from cases.services.recommendation import recommend
from cases.services.steps import case_step_update
from cases.services.suggestions import (
    case_suggestions_accept,
    step_suggestion_confirm,
    unconfirmed_suggestions,
)
from cases.services.workflow import available_actions
from playbooks.registry import Section
from soc.errors import DomainError, NotAllowed

from ._common import error_text, flash_domain_error, form_error_text
from .playbook import attach_playbook_form

TEMPLATE = "cases/case_detail.html"


def transition_forms(case, user, actions: list[str], bound: dict | None = None) -> dict:
    """The forms of the actions the user may take now (others are not shown); `bound`
    replaces some with the submitted form, so a refused decision keeps what was typed."""
    forms = {action: transition_form(action, case, user) for action in actions if action in TRANSITION_FORMS}
    for action, form in (bound or {}).items():
        if action in forms:
            forms[action] = form
    return forms


def case_page_context(request, case, *, bound_forms: dict | None = None) -> dict:
    user = request.user
    steps = [case_page.decorate_step(case, s, user) for s in selectors.case_steps(case)]
    # The questions first: they are what L1 decides on; the other sections keep work order.
    sections = sorted(selectors.group_sections(steps), key=lambda s: s.key != Section.QUESTION)
    for section in sections:
        section.open = case_page.section_is_for_viewer(case, section.key, section.steps, user)
    actions = available_actions(case, user)
    show_summary = bool(case.escalated_at) or case.tier == case.Tier.T2
    observables = selectors.case_observables(case)
    alert_page, alert_filters = case_page.case_alert_page(case, request.GET)
    return {
        "case": case,
        "alert_page": alert_page,
        "alert_filters": alert_filters,
        "severity_choices": Severity.choices,
        "observables": case_page.case_observables_shown(case, observables),
        "observable_form": ObservableAddForm(prefix="observable"),
        "can_edit_observables": case_page.can_edit_observables(case, user),
        "evidence_index": case_page.evidence_index(case, observables),
        "sections": sections,
        "criteria": [s for s in steps if s.is_criterion],
        "recommendation": recommend(case, steps),
        "unconfirmed_count": len(unconfirmed_suggestions(case, steps, user)),
        "actions": actions,
        "forms": transition_forms(case, user, actions, bound_forms),
        "events": selectors.case_events(case),
        "comments": selectors.case_comments(case),
        "comment_form": CommentForm(),
        "summary": selectors.l1_summary(case, steps) if show_summary else None,
        "attach_playbook_form": attach_playbook_form(case, user),
        "panels": case_page.case_panels(case, user),
    }


@require_GET
@permission_required("cases.view_case", raise_exception=True)
def case_detail(request, pk: int):
    case = selectors.get_case_for_user(request.user, pk)
    return render(request, TEMPLATE, case_page_context(request, case))


@require_GET
@permission_required("cases.view_case", raise_exception=True)
def case_alerts(request, pk: int):
    """The alerts card alone (htmx pagination and filters); without htmx, the page."""
    case = selectors.get_case_for_user(request.user, pk)
    if not request.htmx:
        return render(request, TEMPLATE, case_page_context(request, case))
    alert_page, alert_filters = case_page.case_alert_page(case, request.GET)
    return render(
        request,
        TEMPLATE + "#alerts",
        {
            "case": case,
            "alert_page": alert_page,
            "alert_filters": alert_filters,
            "severity_choices": Severity.choices,
        },
    )


@require_GET
@permission_required("cases.view_case", raise_exception=True)
def alert_detail(request, pk: int, alert_pk: int):
    """One alert of a case with its raw payload (evidence links point here)."""
    case = selectors.get_case_for_user(request.user, pk)
    alert = get_object_or_404(Alert.objects.select_related("source"), case=case, pk=alert_pk)
    observables = alert.alert_observables.select_related("observable").order_by("observable__type")
    context = {"case": case, "alert": alert, "links": observables, "kept": alert.kept_observables.all()}
    return render(request, "cases/alert_detail.html", context)


def _step_fragment(request, case, step, error: str = "", status: int = 200):
    observables = selectors.case_observables(case)
    response = render(
        request,
        TEMPLATE + "#step",
        {
            "case": case,
            "step": case_page.decorate_step(case, step, request.user),
            "error": error,
            "evidence_index": case_page.evidence_index(case, observables),
        },
        status=status,
    )
    if request.method == "POST" and not error:
        # The recommendation and the timeline listen for this and refresh themselves.
        response["HX-Trigger"] = "case-changed"
    return response


@require_http_methods(["GET", "POST"])
@permission_required("cases.view_case", raise_exception=True)
def case_step(request, pk: int, step_pk: int):
    """GET: the step's fragment. POST: save it (value and note), or with ``confirm`` set,
    confirm the assistant's suggestion (one click)."""
    case = selectors.get_case_for_user(request.user, pk)
    step = get_object_or_404(case.steps.select_related("item", "updated_by"), pk=step_pk)
    error = ""
    if request.method == "POST":
        form = StepForm(request.POST, step=step)
        try:
            if "confirm" in request.POST:
                step_suggestion_confirm(step=step, by=request.user)
            elif not form.is_valid():
                raise DomainError(form_error_text(form))
            else:
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
    # htmx swaps only 2xx answers: a refusal comes back as a fragment showing it.
    return _step_fragment(request, case, step, error)


@require_POST
@permission_required("cases.view_case", raise_exception=True)
def suggestions_accept(request, pk: int):
    """ "Accept all suggestions": every unanswered step the user may work takes the
    assistant's value, recorded as agreeing with it."""
    case = selectors.get_case_for_user(request.user, pk)
    try:
        accepted = case_suggestions_accept(case=case, by=request.user)
    except DomainError as exc:
        flash_domain_error(request, exc)
    else:
        messages.success(request, f"{accepted} suggestion{'s' if accepted != 1 else ''} accepted.")
    return redirect(reverse("cases:detail", args=[case.pk]) + "#playbook")


@require_GET
@permission_required("cases.view_case", raise_exception=True)
def case_recommendation(request, pk: int):
    case = selectors.get_case_for_user(request.user, pk)
    steps = selectors.case_steps(case)
    return render(
        request,
        TEMPLATE + "#recommendation",
        {
            "case": case,
            "recommendation": recommend(case, steps),
            "criteria": [s for s in steps if s.is_criterion],
        },
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
    if form.is_valid():
        try:
            comment_add_service(case=case, body=form.cleaned_data["body"], by=request.user)
        except DomainError as exc:
            flash_domain_error(request, exc)
        else:
            form = CommentForm()
    context = {
        "case": case,
        "events": selectors.case_events(case),
        "comments": selectors.case_comments(case),
        "comment_form": form,
    }
    if request.htmx:  # 200 even when refused: htmx swaps only 2xx answers
        return render(request, TEMPLATE + "#timeline", context)
    if form.errors:
        # Re-rendered, not redirected: the typed comment stays in its field with its error.
        page = case_page_context(request, case)
        page["comment_form"] = form
        return render(request, TEMPLATE, page, status=400)
    return redirect(reverse("cases:detail", args=[case.pk]) + "#timeline")
