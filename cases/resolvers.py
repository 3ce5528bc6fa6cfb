"""The references a request names, resolved by one function each for HTML and API alike.

A reference is what a form or a JSON body gives to point at another object: the case a
closed case duplicates, the analyst a case is assigned to, the escalation criteria met,
the playbook item a containment action follows. The Django forms (``clean_<field>``) and
the DRF serializers (``validate_<field>``) both call these, and the services call them
again under their row lock where the answer could change meanwhile, so both paths accept
the same values and refuse the others with the same field error.

Each raises ``DomainError`` with ``errors={<field>: [<message>]}``; ``for_form()`` and
``for_api()`` call one and turn that into the form's or the serializer's validation error
for the field being cleaned.
"""

from __future__ import annotations

from collections.abc import Iterable

from django import forms
from django.contrib.auth import get_user_model
from rest_framework import serializers

from cases.models import Case, CaseStep
from playbooks.models import PlaybookItem
from playbooks.registry import Section
from soc.errors import DomainError


def _problems(exc: DomainError) -> list[str]:
    return [p for field in (exc.data.get("errors") or {}).values() for p in field] or [exc.message]


def for_form(resolve, *args, **kwargs):
    """`resolve(*args, **kwargs)` in a Django form's ``clean_<field>``."""
    try:
        return resolve(*args, **kwargs)
    except DomainError as exc:
        raise forms.ValidationError(_problems(exc)) from exc


def for_api(resolve, *args, **kwargs):
    """`resolve(*args, **kwargs)` in a DRF serializer's ``validate_<field>``."""
    try:
        return resolve(*args, **kwargs)
    except DomainError as exc:
        raise serializers.ValidationError(_problems(exc)) from exc


def _refuse(field: str, message: str, detail: str | None = None) -> DomainError:
    return DomainError(detail or message, errors={field: [message]})


def resolve_case(user, value, *, field: str = "duplicate_of") -> Case:
    """A case `user` may see, by id or by reference (``CASE-2026-000123``, any case).
    A case the user may not see answers exactly as one that does not exist."""
    given = str(value).strip()
    # isdigit() alone also accepts digits int() refuses (e.g. "²").
    lookup = {"pk": int(given)} if given.isascii() and given.isdigit() else {"reference": given.upper()}
    case = Case.objects.visible_to(user).filter(**lookup).first() if given else None
    if case is None:
        raise _refuse(field, f"No case {given}.", "No such case.")
    return case


def check_assignee(case: Case, user) -> None:
    """Whether `user` may be given `case`: active, and working the case's tier."""
    if user is None or not getattr(user, "is_active", False):
        raise _refuse("assignee", "Choose an active user.")
    permission, tier = ("cases.work_t2", "T2") if case.tier == Case.Tier.T2 else ("cases.work_l1", "L1")
    if not user.has_perm(permission):
        raise _refuse("assignee", f"{user.get_username()} cannot work {tier}-tier cases.")


def resolve_assignee(case: Case, username: str):
    """The active user named `username`, if they may be given `case` (check_assignee)."""
    user_model = get_user_model()
    user = user_model.objects.filter(**{user_model.USERNAME_FIELD: (username or "").strip()}).first()
    if user is None:
        raise _refuse("assignee", "No such user.")
    check_assignee(case, user)
    return user


def resolve_team_member(username: str, *, field: str = "owner"):
    """An active member of the SOC team (may see cases), by username."""
    user_model = get_user_model()
    given = (username or "").strip()
    user = user_model.objects.filter(**{user_model.USERNAME_FIELD: given}, is_active=True).first()
    if user is None:
        raise _refuse(field, "No such user.")
    if not user.has_perm("cases.view_case"):
        raise _refuse(field, "Not a SOC team member.", "The owner must be a SOC team member.")
    return user


def resolve_criteria(case: Case, step_ids: Iterable[int]) -> list[CaseStep]:
    """The case's escalation-criterion steps with these ids; any other id is refused."""
    wanted = set(step_ids)
    steps = list(
        case.steps.filter(section=Section.ESCALATION_CRITERION, pk__in=wanted).select_related("item")
    )
    unknown = sorted(wanted - {step.pk for step in steps})
    if unknown:
        raise DomainError(
            "The case is not ready to escalate.",
            errors={"criteria": [f"Not an escalation criterion of this case: {pk}" for pk in unknown]},
        )
    return steps


def resolve_playbook_item(case: Case, item_id: int) -> PlaybookItem:
    """An item of the playbook version the case follows."""
    item = PlaybookItem.objects.filter(pk=item_id, version_id=case.playbook_version_id).first()
    if item is None:
        raise _refuse("playbook_item", f"Item {item_id} is not in this case's playbook.")
    return item
