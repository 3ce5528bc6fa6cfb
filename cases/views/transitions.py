"""One POST endpoint per case transition; each parses its form and calls its service."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from django.contrib import messages
from django.contrib.auth.decorators import permission_required
from django.http import Http404
from django.shortcuts import redirect
from django.views.decorators.http import require_POST

from cases import selectors
from cases.forms import transition_form
from cases.services import workflow
from soc.errors import DomainError

from ._common import flash_domain_error, form_error_text


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
            case=case, by=by, note=d["note"], reason=d["reason"], expected_version=d["version"]
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


@require_POST
@permission_required("cases.view_case", raise_exception=True)
def case_transition(request, pk: int, action: str):
    """POST /cases/<pk>/<action>/ -> the service; always back to the case page (PRG)."""
    transition = TRANSITIONS.get(action)
    if transition is None:
        raise Http404("No such action.")
    case = selectors.get_case_for_user(request.user, pk)
    form = transition_form(action, case, request.POST)
    if not form.is_valid():
        messages.error(request, form_error_text(form))
    else:
        try:
            transition.run(case, request.user, form.cleaned_data)
        except DomainError as exc:
            flash_domain_error(request, exc)
        else:
            messages.success(request, f"{case.reference} {transition.done}.")
    return redirect("cases:detail", pk=case.pk)
