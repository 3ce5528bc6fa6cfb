"""Observables by hand: an analyst adds one to a case, or flags one (IOC, TLP, tags,
"never correlate").

Values are validated and normalised by the same functions as ingested ones
(cases.ingest.observables), so a hand-typed "203.0.113.007" or "hxxp://Evil.example" is
the observable ingestion already knows. A CIDR with host bits is refused, naming the
network that was probably meant (ingestion re-bases it; a person should decide).

``Observable.never_correlate`` is global to the value: intake's correlation must not
join alerts into a case through it.
"""

from __future__ import annotations

import ipaddress

from django.db import transaction
from django.utils import timezone

from cases.ingest.observables import is_internal, normalise
from cases.models import Case, CaseObservable, Observable
from cases.services import events
from soc.errors import Conflict, DomainError, NotAllowed

MAX_TAGS = 20
MAX_TAG_LENGTH = 40


def _check_rights(case: Case, by) -> None:
    if not (by and by.is_authenticated and by.has_perm("cases.view_case") and by.has_perm("cases.work_l1")):
        raise NotAllowed("Your role cannot change a case's observables.")
    if not case.is_open:
        raise Conflict(f"{case.reference} is {case.get_status_display().lower()}; its observables are final.")


def clean_value(type_: str, value: str) -> str:
    """The canonical value, or a DomainError saying what is wrong with it."""
    if type_ not in Observable.Type.values:
        raise DomainError("Unknown observable type.", errors={"type": ["Choose a type from the list."]})
    if type_ == Observable.Type.CIDR:
        try:
            ipaddress.ip_network((value or "").strip(), strict=True)
        except ValueError:
            try:
                meant = ipaddress.ip_network((value or "").strip(), strict=False)
            except ValueError:
                pass
            else:
                message = f"{value.strip()} has host bits set; did you mean {meant}?"
                raise DomainError(message, errors={"value": [message]}) from None
    canonical = normalise(type_, value)
    if canonical is None:
        label = Observable.Type(type_).label
        raise DomainError(
            f"Not a valid {label.lower()}.", errors={"value": [f"Not a valid {label.lower()}."]}
        )
    return canonical


def clean_tags(tags) -> list[str]:
    if isinstance(tags, str):
        tags = tags.split(",")
    cleaned = []
    for tag in tags or []:
        tag = " ".join(str(tag).split()).lower()
        if tag and tag not in cleaned:
            if len(tag) > MAX_TAG_LENGTH:
                raise DomainError(
                    "A tag is too long.", errors={"tags": [f"At most {MAX_TAG_LENGTH} characters a tag."]}
                )
            cleaned.append(tag)
    if len(cleaned) > MAX_TAGS:
        raise DomainError("Too many tags.", errors={"tags": [f"At most {MAX_TAGS} tags."]})
    return cleaned


@transaction.atomic
def case_observable_add(*, case: Case, type: str, value: str, by) -> CaseObservable:
    """Link the observable (created if new) to `case`; one ``observable_added`` event."""
    locked = Case.objects.select_for_update().get(pk=case.pk)
    _check_rights(locked, by)
    canonical = clean_value(type, value)
    observable, _ = Observable.objects.get_or_create(
        type=type, value=canonical, defaults={"is_internal": is_internal(type, canonical)}
    )
    now = timezone.now()
    link, created = CaseObservable.objects.get_or_create(
        case=locked, observable=observable, defaults={"first_seen_at": now, "last_seen_at": now}
    )
    if not created:
        raise DomainError(
            f"{canonical} is already an observable of this case.", errors={"value": ["Already on this case."]}
        )
    events.record(
        events.observable_added(locked, by=by, observable_id=observable.pk, type=type, value=canonical)
    )
    return link


FLAG_FIELDS = ("is_ioc", "tlp", "tags", "never_correlate")


@transaction.atomic
def observable_flag(*, case: Case, observable: Observable, by, **changes) -> Observable:
    """Set some of is_ioc, tlp, tags and never_correlate; one ``observable_flagged``
    event on `case` (the case the analyst worked from) listing what changed."""
    locked_case = Case.objects.select_for_update().get(pk=case.pk)
    _check_rights(locked_case, by)
    if not CaseObservable.objects.filter(case=locked_case, observable=observable).exists():
        raise DomainError("Not an observable of this case.")
    locked = Observable.objects.select_for_update().get(pk=observable.pk)
    unknown = set(changes) - set(FLAG_FIELDS)
    if unknown:
        raise DomainError(f"Unknown fields: {', '.join(sorted(unknown))}.")
    if "tlp" in changes and changes["tlp"] not in Observable.Tlp.values:
        raise DomainError("Unknown TLP.", errors={"tlp": ["Choose a TLP from the list."]})
    if "tags" in changes:
        changes["tags"] = clean_tags(changes["tags"])
    changed = {k: v for k, v in changes.items() if getattr(locked, k) != v}
    if not changed:
        return locked
    for key, new in changed.items():
        setattr(locked, key, new)
    locked.save(update_fields=list(changed))
    events.record(
        events.observable_flagged(
            locked_case, by=by, observable_id=locked.pk, value=locked.value, changes=changed
        )
    )
    observable.__dict__.update({k: getattr(locked, k) for k in FLAG_FIELDS})
    return locked


__all__ = ["case_observable_add", "observable_flag"]
