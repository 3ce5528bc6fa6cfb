"""The containment panel on the case page (htmx) and its write endpoints.

Reading needs `cases.view_case` (L1 sees what is being done); every write needs
`containment.request_action` (T2, SOC managers), and the services refuse the rest
(approval by a manager, never one's own). A POST from htmx gets the fresh panel back;
without htmx it redirects to the panel's page (or re-renders it with the error and the
error's status code).
"""

from django.contrib import messages
from django.contrib.auth.decorators import permission_required
from django.core.cache import cache
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_POST

from cases.models import Case
from cases.selectors import get_case_for_user
from soc.errors import DomainError, NotAllowed

from . import policy, selectors, services
from .connectors import configuration_problem
from .forms import ManualStepForm, RejectForm, RequestActionForm
from .models import ContainmentAction
from .visibility import redact_text


def get_action_for_user(request, pk: int) -> ContainmentAction:
    return get_object_or_404(ContainmentAction.objects.visible_to(request.user).select_related("case"), pk=pk)


def _panel_context(request, case: Case, *, error: str = "", notice: str = "", form=None) -> dict:
    user = request.user
    actions = list(selectors.case_actions(case))
    # On a claimed case only the assignee and managers see the request and step forms.
    can_request = policy.can_request_on_case(user, case)
    approver = policy.may_approve_role(user)
    automated, manual = [], []
    for action in actions:
        action.user_can_approve = approver and action.requested_by_id != user.pk
        action.user_can_withdraw = action.requested_by_id == user.pk
        action.user_can_revert = can_request and (
            not policy.needs_approval_to_revert(action) or policy.can_approve(user, action)
        )
        action.visible_error = redact_text(action.last_error, user)
        action.reason_labels = policy.reason_labels(action.sensitive_reasons)
        (manual if action.is_manual else automated).append(action)
    owners = list(services.assignable_owners()) if can_request and manual else []
    if can_request:
        for action in manual:
            action.step_form = ManualStepForm(
                prefix=f"step{action.pk}",
                initial={
                    "owner": action.owner.get_username() if action.owner else "",
                    "due_at": action.due_at,
                    "note": action.note,
                },
            )
    return {
        "case": case,
        "actions": automated,
        "manual_steps": manual,
        "in_flight": any(a.in_flight for a in automated),
        "can_request": can_request,
        "can_override": policy.can_override(user),
        "owners": owners,
        "suggestions": _with_configuration(selectors.suggested_actions(case, actions) if can_request else []),
        "form": _mark_unconfigured(form or RequestActionForm(case=case)),
        "error": error,
        "notice": notice,
    }


def _with_configuration(suggestions):
    """Each suggestion says when its connector is not configured (it cannot be requested)."""
    for suggestion in suggestions:
        suggestion.not_configured = configuration_problem(suggestion.kind)
    return suggestions


def _mark_unconfigured(form):
    """The action kinds whose connector is not configured are labelled so in the form."""
    form.fields["kind"].choices = [
        (value, f"{label} (not configured)" if configuration_problem(value) else label)
        for value, label in form.fields["kind"].choices
    ]
    return form


def _render_panel(request, case: Case, *, status: int = 200, **extra):
    context = _panel_context(request, case, **extra)
    if request.htmx:
        # htmx swaps 2xx only: errors come back as a panel showing them.
        return render(request, "containment/panel.html", context)
    return render(request, "containment/panel_page.html", context, status=status)


def _after_write(request, case: Case, notice: str):
    if request.htmx:
        return _render_panel(request, case, notice=notice)
    messages.success(request, notice)
    return redirect(reverse("containment:case_panel", args=[case.pk]))


def _domain_error(request, case: Case, exc: DomainError, form=None):
    if isinstance(exc, NotAllowed):
        raise PermissionDenied(exc.message)
    return _render_panel(request, case, status=exc.status, error=exc.message, form=form)


@require_GET
@permission_required("cases.view_case", raise_exception=True)
def case_panel(request, pk: int):
    case = get_case_for_user(request.user, pk)
    if request.GET.get("part") == "actions":
        context = _panel_context(request, case)
        return render(request, "containment/panel.html#actions", context)
    return _render_panel(request, case)


@require_POST
@permission_required("containment.request_action", raise_exception=True)
def request_action(request, pk: int):
    case = get_case_for_user(request.user, pk)
    form = RequestActionForm(request.POST, case=case)
    if not form.is_valid():
        return _render_panel(request, case, status=400, error="Check the action's fields.", form=form)
    data = form.cleaned_data
    try:
        action = services.action_request(
            case=case,
            kind=data["kind"],
            target=data["target"],
            reason=data["reason"],
            expires_in=data["expires_in"],
            by=request.user,
            override_reason=data["override_reason"],
            playbook_item=data["playbook_item"],
        )
    except DomainError as exc:
        return _domain_error(request, case, exc, form=form)
    if not action.is_new:
        notice = f"{action} was already requested."
    elif action.status == ContainmentAction.Status.PROPOSED:
        notice = f"{action.get_kind_display()} {action.target} awaits approval by a SOC manager."
    else:
        notice = f"{action.get_kind_display()} {action.target} requested."
    return _after_write(request, case, notice)


def _action_write(request, pk: int, do, notice: str):
    action = get_action_for_user(request, pk)
    try:
        do(action)
    except DomainError as exc:
        return _domain_error(request, action.case, exc)
    return _after_write(request, action.case, notice.format(action=action))


def _plain_action_view(service, notice: str):
    """The POST view of a service that takes only the action and the acting user."""

    @require_POST
    @permission_required("containment.request_action", raise_exception=True)
    def view(request, pk: int):
        return _action_write(request, pk, lambda a: service(action=a, by=request.user), notice)

    return view


approve_action = _plain_action_view(services.action_approve, "Approved: {action}.")
retry_action = _plain_action_view(services.action_retry, "Queued again: {action}.")
revert_action = _plain_action_view(services.action_revert, "Reverting: {action}.")


@require_POST
@permission_required("containment.request_action", raise_exception=True)
def reject_action(request, pk: int):
    form = RejectForm(request.POST)
    reason = form.cleaned_data["reason"] if form.is_valid() else ""
    return _action_write(
        request,
        pk,
        lambda a: services.action_reject(action=a, by=request.user, reason=reason),
        "Rejected: {action}.",
    )


@require_POST
@permission_required("containment.request_action", raise_exception=True)
def update_step(request, pk: int):
    action = get_action_for_user(request, pk)
    form = ManualStepForm(request.POST, prefix=f"step{action.pk}")
    if not form.is_valid():
        return _render_panel(
            request, action.case, status=400, error=f"Check the step's fields: {form.errors.as_text()}"
        )
    data = form.cleaned_data
    return _action_write(
        request,
        pk,
        lambda a: services.action_manual_update(
            action=a,
            by=request.user,
            owner=data["owner"],
            due_at=data["due_at"],
            note=data["note"],
            done=data["done"],
        ),
        "Step updated: {action}.",
    )


# --- the approvals inbox (SOC managers; a second T2 where CONTAINMENT_SECOND_T2_APPROVAL) ---


def pending_approvals(user):
    """Every action awaiting approval that `user` could decide, oldest first (empty for
    users whose role approves nothing)."""
    if not policy.may_approve_role(user):
        return ContainmentAction.objects.none()
    return (
        ContainmentAction.objects.visible_to(user)
        .filter(status=ContainmentAction.Status.PROPOSED)
        .for_panel()
        .order_by("created_at", "id")
    )


def _inbox_context(request, *, error: str = "", notice: str = "") -> dict:
    actions = list(pending_approvals(request.user))
    for action in actions:
        action.reason_labels = policy.reason_labels(action.sensitive_reasons)
        action.user_can_approve = policy.can_approve(request.user, action)
    return {"actions": actions, "error": error, "notice": notice}


@require_GET
@permission_required("cases.view_case", raise_exception=True)
def approvals_inbox(request):
    if not policy.may_approve_role(request.user):
        raise PermissionDenied("Only approvers see the approvals inbox.")
    return render(request, "containment/approvals.html", _inbox_context(request))


@require_POST
@permission_required("cases.view_case", raise_exception=True)
def approvals_decide(request, pk: int, decision: str):
    """Approve or reject from the inbox; htmx gets the fresh list, others a redirect."""
    action = get_action_for_user(request, pk)
    form = RejectForm(request.POST)
    reason = form.cleaned_data["reason"] if form.is_valid() else ""
    try:
        if decision == "approve":
            services.action_approve(action=action, by=request.user)
            notice = f"Approved: {action.get_kind_display()} {action.target} on {action.case.reference}."
        elif decision == "reject":
            services.action_reject(action=action, by=request.user, reason=reason)
            notice = f"Rejected: {action.get_kind_display()} {action.target} on {action.case.reference}."
        else:
            raise PermissionDenied("No such decision.")
    except NotAllowed as exc:
        raise PermissionDenied(exc.message) from exc
    except DomainError as exc:
        if request.htmx:
            return render(
                request, "containment/approvals.html#inbox", _inbox_context(request, error=exc.message)
            )
        messages.error(request, exc.message)
        return redirect("containment:approvals")
    cache.delete("vigil:approvals:pending")  # the navigation bar's count
    if request.htmx:
        response = render(request, "containment/approvals.html#inbox", _inbox_context(request, notice=notice))
        response["HX-Trigger"] = "approvals-changed"
        return response
    messages.success(request, notice)
    return redirect("containment:approvals")
