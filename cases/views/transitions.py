"""One POST endpoint per case transition; each parses its form and calls its service."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

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


@dataclass(frozen=True)
class Transition:
    run: Callable
    done: str


TRANSITIONS: dict[str, Transition] = {
    "claim": Transition(
        lambda case, by, d: workflow.case_claim(case=case, by=by, expected_version=d["version"]),
        "claimed",
    ),
    "unassign": Transition(
        lambda case, by, d: workflow.case_unassign(case=case, by=by, expected_version=d["version"]),
        "unassigned",
    ),
    "assign": Transition(
        lambda case, by, d: workflow.case_assign(
            case=case, to=d["assignee"], by=by, expected_version=d["version"]
        ),
        "reassigned",
    ),
    "close": Transition(
        lambda case, by, d: workflow.case_close(
            case=case,
            by=by,
            resolution=d["resolution"],
            note=d["note"],
            duplicate_of=d["duplicate_of"],
            reason=d["reason"],
            expected_version=d["version"],
        ),
        "closed",
    ),
    "escalate": Transition(
        lambda case, by, d: workflow.case_escalate(
            case=case,
            by=by,
            note=d["note"],
            criteria=d["criteria"],
            reason=d["reason"],
            expected_version=d["version"],
        ),
        "escalated to T2",
    ),
    "return": Transition(
        lambda case, by, d: workflow.case_return_to_l1(
            case=case, by=by, note=d["note"], expected_version=d["version"]
        ),
        "returned to L1",
    ),
    "contain": Transition(
        lambda case, by, d: workflow.case_enter_containment(case=case, by=by),
        "moved to containment",
    ),
    "resolve": Transition(
        lambda case, by, d: workflow.case_resolve(
            case=case,
            by=by,
            summary=d["summary"],
            resolution=d["resolution"],
            expected_version=d["version"],
        ),
        "resolved",
    ),
    "reopen": Transition(
        lambda case, by, d: workflow.case_reopen(
            case=case, by=by, note=d["note"], expected_version=d["version"]
        ),
        "reopened",
    ),
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
    transition = TRANSITIONS.get(action)
    if transition is None:
        raise Http404("No such action.")
    case = selectors.get_case_for_user(request.user, pk)
    form = transition_form(action, case, request.user, request.POST)
    status = 400
    if form.is_valid():
        try:
            transition.run(case, request.user, form.cleaned_data)
        except NotAllowed as exc:
            raise PermissionDenied(exc.message) from exc
        except DomainError as exc:
            _attach_errors(form, exc)
            status = exc.status if isinstance(exc, Conflict) else 400
        else:
            messages.success(request, f"{case.reference} {transition.done}.")
            return redirect("cases:detail", pk=case.pk)
    case = selectors.get_case_for_user(request.user, pk)
    context = case_page_context(request, case, bound_forms={action: form})
    if action in context["forms"]:
        messages.error(request, f"{case.reference} was not {transition.done}: the form below says why.")
    else:
        # The action is no longer on offer (e.g. someone else claimed the case meanwhile).
        messages.error(request, f"{case.reference} was not {transition.done}: {form_error_text(form)}")
    context["failed_action"] = action
    return render(request, "cases/case_detail.html", context, status=status)
