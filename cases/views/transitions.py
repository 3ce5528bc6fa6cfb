"""One POST endpoint per case transition; each parses its form and calls its service."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import permission_required
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from cases import selectors
from cases.forms import transition_form
from cases.services import workflow
from soc.errors import Conflict, DomainError, NotAllowed

from ._common import form_error_text
from .detail import case_page_context

# What the success and failure messages say each action did.
DONE = {
    workflow.Action.CLAIM: "claimed",
    workflow.Action.UNASSIGN: "unassigned",
    workflow.Action.ASSIGN: "reassigned",
    workflow.Action.CLOSE: "closed",
    workflow.Action.ESCALATE: "escalated to T2",
    workflow.Action.RETURN: "returned to L1",
    workflow.Action.CONTAIN: "moved to containment",
    workflow.Action.RESOLVE: "resolved",
    workflow.Action.REOPEN: "reopened",
}


def _attach_errors(form, exc: DomainError) -> None:
    """A service's field errors beside their field on the form; the others above it."""
    field_errors = exc.data.get("errors") or {}
    for field, problems in field_errors.items():
        for problem in problems if isinstance(problems, list | tuple) else [problems]:
            form.add_error(field if field in form.fields else None, str(problem))
    if not field_errors:
        form.add_error(None, exc.message)


@require_POST
@permission_required("cases.view_case", raise_exception=True)
def case_transition(request, pk: int, action: str):
    """POST /cases/<pk>/<action>/ -> the service, then back to the case page (PRG).

    A refused transition re-renders the page with the submitted form, its errors beside
    its fields (status 400 or the conflict's 409), so a typed hand-off note is not lost.
    """
    done = DONE.get(action)
    if done is None:
        raise Http404("No such action.")
    case = selectors.get_case_for_user(request.user, pk)
    form = transition_form(action, case, request.user, request.POST)
    status = 400
    if form.is_valid():
        try:
            workflow.perform(action, case=case, by=request.user, data=form.cleaned_data)
        except NotAllowed as exc:
            raise PermissionDenied(exc.message) from exc
        except DomainError as exc:
            _attach_errors(form, exc)
            status = exc.status if isinstance(exc, Conflict) else 400
        else:
            messages.success(request, f"{case.reference} {done}.")
            return redirect("cases:detail", pk=case.pk)
    case = selectors.get_case_for_user(request.user, pk)
    context = case_page_context(request, case, bound_forms={action: form})
    if action in context["forms"]:
        messages.error(request, f"{case.reference} was not {done}: the form below says why.")
    else:
        # The action is no longer on offer (e.g. someone else claimed the case meanwhile).
        messages.error(request, f"{case.reference} was not {done}: {form_error_text(form)}")
    context["failed_action"] = action
    return render(request, "cases/case_detail.html", context, status=status)
