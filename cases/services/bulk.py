"""One action on many cases (the case list's row selection).

Each case goes through the same service as on its own page, in its own transaction, so
one refusal (someone else claimed it, the recommendation needs a reason) does not undo the
others; the result says, per case, what happened.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models import Q

from cases.models import Case
from cases.resolvers import check_assignee
from cases.services import workflow
from cases.services.merge import case_merge
from soc.errors import DomainError


@dataclass(frozen=True)
class Outcome:
    case: Case
    ok: bool
    message: str


def _each(cases: list[Case], run) -> list[Outcome]:
    outcomes = []
    for case in cases:
        try:
            with transaction.atomic():
                run(case)
        except DomainError as exc:
            outcomes.append(Outcome(case, False, exc.message))
        else:
            outcomes.append(Outcome(case, True, ""))
    return outcomes


def assignable_tiers(by) -> list[str]:
    """The tiers of the cases `by` may assign (README, "Assigning"): a SOC manager any
    case; an analyst the cases of the tiers they work."""
    if by.has_perm("cases.assign_any"):
        return [Case.Tier.L1, Case.Tier.T2]
    tiers = [(Case.Tier.L1, "cases.work_l1"), (Case.Tier.T2, "cases.work_t2")]
    return [tier for tier, permission in tiers if by.has_perm(permission)]


def eligible_assignees(by):
    """The users `by` may give a case to: the active users who work a tier whose cases
    `by` may assign (a lazy queryset, none when `by` assigns nothing)."""
    users = get_user_model().objects
    tiers = assignable_tiers(by)
    if not tiers:
        return users.none()
    eligible = Q()
    for tier in tiers:
        eligible |= Q(pk__in=workflow.assignable_users(Case(tier=tier)).values("pk"))
    return users.filter(eligible).prefetch_related("groups").order_by("username")


def assignee_refusals(cases: list[Case], to) -> list[str]:
    """Why `to` may not be given some of `cases` (their tier), one line per tier."""
    refused: dict[str, list[str]] = {}
    for case in cases:
        try:
            check_assignee(case, to)
        except DomainError as exc:
            refused.setdefault(exc.data["errors"]["assignee"][0], []).append(case.reference)
    return [f"{problem.rstrip('.')}: {', '.join(refs)}." for problem, refs in refused.items()]


def cases_claim(*, cases: list[Case], by) -> list[Outcome]:
    return _each(cases, lambda case: workflow.case_claim(case=case, by=by))


def cases_assign(*, cases: list[Case], to, by) -> list[Outcome]:
    return _each(cases, lambda case: workflow.case_assign(case=case, to=to, by=by))


def cases_close(*, cases: list[Case], resolution: str, reason: str, by) -> list[Outcome]:
    """Close each case with `resolution`; `reason` is the closing note and, where Vigil
    recommends escalating, the reason for closing against it."""
    if not reason.strip():
        raise DomainError("Say why these cases are closed.", errors={"reason": ["This field is required."]})
    return _each(
        cases,
        lambda case: workflow.case_close(case=case, by=by, resolution=resolution, note=reason, reason=reason),
    )


def cases_merge(*, cases: list[Case], target: Case, by) -> list[Outcome]:
    """Merge every other selected case into `target` (one of them)."""
    if target.pk not in {c.pk for c in cases}:
        raise DomainError(
            "The target must be one of the selected cases.", errors={"target": ["Choose a selected case."]}
        )
    return _each(
        [c for c in cases if c.pk != target.pk], lambda case: case_merge(source=case, target=target, by=by)
    )
