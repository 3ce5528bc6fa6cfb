"""Writes to the reference data: known networks, business partners, threat feeds.

Every write validates and normalises its values (intel.validators), writes its audit row
(intel.audit: who, which path, field -> [before, after]) in the same transaction, then,
once the transaction commits, drops this process's in-memory IP index and sends the refresh
of open cases (intel.hooks.REFRESH_OPEN_CASES, provided by enrichment), which re-enriches
the observables of open cases and refreshes their suggestions; the request is recorded in the same transaction
(ReferenceRefresh), so a broker outage delays the refresh (the beat sweeper re-sends it)
instead of losing it. The admin, the API and the import command all call these, each
naming itself with `via` (ReferenceChange.Via); code that passes no `via` is `system`.
"""

from __future__ import annotations

from datetime import date, datetime

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from soc.errors import Conflict, NotAllowed, Unprocessable
from soc.tasks import dispatch_on_commit

from . import audit, lookup
from .audit import NETWORK_FIELDS, PARTNER_FIELDS
from .hooks import REFRESH_OPEN_CASES
from .models import BusinessPartner, KnownNetwork, ReferenceChange, ReferenceRefresh
from .validators import normalize_domain_strict, normalize_network

MANAGE_PERMISSION = "intel.manage_reference"
VIEW_CHANGES_PERMISSION = "intel.view_referencechange"
Action, Via = ReferenceChange.Action, ReferenceChange.Via


def check_can_manage(by) -> None:
    """Only SOC managers (intel.manage_reference) change reference data; None is the
    system itself (management commands run by an operator)."""
    if by is None:
        return
    if not getattr(by, "is_authenticated", False) or not by.has_perm(MANAGE_PERMISSION):
        raise NotAllowed("Only SOC managers may change reference data.")


def reference_changed() -> None:
    """Tell this process's index and the open cases that reference data changed.

    The index is dropped now (this thread's next lookup sees its own uncommitted write)
    and again on commit (so a lookup made meanwhile by another thread cannot keep a stale
    build); after a rollback the version stamp check rebuilds it within the TTL.
    """
    lookup.invalidate()
    transaction.on_commit(lookup.invalidate)
    refresh_request()
    # A short delay lets a burst of changes share one fan-out (refresh_open_cases coalesces).
    dispatch_on_commit(REFRESH_OPEN_CASES.task.signature(countdown=settings.VIGIL_REFRESH_COALESCE_SECONDS))


def refresh_request() -> None:
    """Record that every open case must be refreshed (the one pending request: several
    changes before the fan-out runs are served by one fan-out)."""
    # One upsert (INSERT ... ON CONFLICT): two first-ever changes at once cannot collide.
    ReferenceRefresh.objects.bulk_create(
        [ReferenceRefresh(pk=1, requested_at=timezone.now())],
        update_conflicts=True,
        unique_fields=["id"],
        update_fields=["requested_at"],
    )


def refresh_state(*, lock: bool = False) -> ReferenceRefresh | None:
    """The refresh request and what was served of it (None: never requested); `lock`
    holds its row until the transaction ends (one fan-out at a time)."""
    rows = ReferenceRefresh.objects.select_for_update() if lock else ReferenceRefresh.objects
    return rows.filter(pk=1).first()


def refresh_requested_at() -> datetime | None:
    """When open cases were last asked to refresh (None: never)."""
    return ReferenceRefresh.objects.filter(pk=1).values_list("requested_at", flat=True).first()


def refresh_served(requested_at: datetime | None) -> None:
    """Record that every open case's refresh for the request of `requested_at` (read
    before the fan-out started) reached the broker. A later request stays pending."""
    if requested_at is None:
        return
    ReferenceRefresh.objects.filter(
        Q(refreshed_at__isnull=True) | Q(refreshed_at__lt=requested_at), pk=1
    ).update(refreshed_at=requested_at)


def refresh_overdue(grace) -> bool:
    """Whether a refresh was requested more than `grace` ago and not served yet (younger
    requests may still have their own dispatch in flight)."""
    state = ReferenceRefresh.objects.filter(pk=1).first()
    return state is not None and state.pending and state.requested_at < timezone.now() - grace


# --- Known networks -----------------------------------------------------------------


def clean_network_fields(data: dict) -> dict:
    """Validated, normalised KnownNetwork fields; raises Unprocessable with field errors."""
    errors: dict[str, list[str]] = {}
    cleaned = {}
    if "cidr" in data:
        try:
            cleaned["cidr"] = normalize_network(data["cidr"])
        except ValidationError as exc:
            errors["cidr"] = exc.messages
    if "list" in data:
        if data["list"] not in KnownNetwork.List.values:
            errors["list"] = [f"Must be one of: {', '.join(KnownNetwork.List.values)}."]
        else:
            cleaned["list"] = data["list"]
    for name, limit in (("label", 200), ("source", 100)):
        if name in data:
            value = (data[name] or "").strip()
            if len(value) > limit:
                errors[name] = [f"At most {limit} characters."]
            cleaned[name] = value
    if "shared" in data:
        if not isinstance(data["shared"], bool):
            errors["shared"] = ["Must be true or false."]
        else:
            cleaned["shared"] = data["shared"]
    if "expires_at" in data:
        value = data["expires_at"]
        if value is not None and not isinstance(value, datetime):
            errors["expires_at"] = ["Must be a date and time."]
        cleaned["expires_at"] = value
    if errors:
        raise Unprocessable("Invalid known network.", errors=errors)
    return cleaned


@transaction.atomic
def network_create(
    *,
    by,
    cidr: str,
    list: str,
    label: str = "",
    source: str = "",
    expires_at=None,
    shared: bool = False,
    via: str = Via.SYSTEM,
) -> KnownNetwork:
    check_can_manage(by)
    fields = clean_network_fields(
        {
            "cidr": cidr,
            "list": list,
            "label": label,
            "source": source,
            "expires_at": expires_at,
            "shared": shared,
        }
    )
    if KnownNetwork.objects.filter(
        cidr=fields["cidr"], list=fields["list"], source=fields["source"]
    ).exists():
        raise Conflict(
            f"{fields['cidr']} is already on the {fields['list']} list from source {fields['source'] or '(none)'}."
        )
    return _created(KnownNetwork.objects.create(**fields), by=by, via=via)


@transaction.atomic
def network_update(*, by, network: KnownNetwork, via: str = Via.SYSTEM, **changes) -> KnownNetwork:
    """Change some fields; a change that changes nothing writes no audit row."""
    check_can_manage(by)
    _refuse_unknown(changes, NETWORK_FIELDS, "Not a known-network field.")
    network, before = _changed(network, clean_network_fields(changes))
    clash = KnownNetwork.objects.filter(cidr=network.cidr, list=network.list, source=network.source).exclude(
        pk=network.pk
    )
    if clash.exists():
        raise Conflict(f"{network.cidr} is already on the {network.list} list from that source.")
    return _save_change(network, before, by=by, via=via)


@transaction.atomic
def reference_delete(*, by, entry: KnownNetwork | BusinessPartner, via: str = Via.SYSTEM) -> None:
    """Delete one known network or business partner, with its audit row."""
    check_can_manage(by)
    _delete_entries(type(entry), [entry.pk], by=by, via=via)


@transaction.atomic
def references_delete(*, by, queryset, via: str = Via.SYSTEM) -> int:
    """Delete the networks or partners of `queryset` (the admin's bulk action), one audit
    row each."""
    check_can_manage(by)
    return _delete_entries(queryset.model, queryset.values_list("pk", flat=True), by=by, via=via)


def _refuse_unknown(fields: dict, known, problem: str) -> None:
    unknown = set(fields) - set(known)
    if unknown:
        raise Unprocessable("Unknown fields.", errors={f: [problem] for f in sorted(unknown)})


def _created(entry, *, by, via: str):
    """Audit a new entry (every field: [None, value]) and announce the change."""
    audit.record(entry, action=Action.CREATE, changes=audit.diff(None, audit.snapshot(entry)), by=by, via=via)
    reference_changed()
    return entry


def _changed(entry, cleaned: dict):
    """The entry locked for the update with the cleaned changes set, and its snapshot before."""
    entry = type(entry).objects.select_for_update().get(pk=entry.pk)
    before = audit.snapshot(entry)
    for name, value in cleaned.items():
        setattr(entry, name, value)
    return entry, before


def _save_change(entry, before: dict, *, by, via: str):
    """Save, audit what changed (nothing changed: no row) and announce the change."""
    entry.save()
    changes = audit.diff(before, audit.snapshot(entry))
    if changes:
        audit.record(entry, action=Action.CHANGE, changes=changes, by=by, via=via)
    reference_changed()
    return entry


def _delete_entries(model, pks, *, by, via: str) -> int:
    """Lock, audit and delete the entries with these ids (gone already: nothing to do)."""
    # The ids are read first: a filtered admin queryset may be DISTINCT, which FOR UPDATE refuses.
    entries = list(model.objects.select_for_update().filter(pk__in=list(pks)).order_by("pk"))
    if not entries:
        return 0
    audit.record_deletes(entries, by=by, via=via)
    model.objects.filter(pk__in=[entry.pk for entry in entries]).delete()
    reference_changed()
    return len(entries)


# --- Business partners --------------------------------------------------------------


def _clean_list(values, normalise, field: str, errors: dict) -> list[str]:
    if values is None:
        return []
    if isinstance(values, str):
        values = values.replace(",", ";").split(";")
    if not isinstance(values, list | tuple):
        errors[field] = ["Must be a list."]
        return []
    out: list[str] = []
    problems = []
    for value in values:
        if isinstance(value, str) and not value.strip():
            continue
        try:
            normalised = normalise(value)
        except ValidationError as exc:
            problems.extend(exc.messages)
            continue
        if normalised not in out:
            out.append(normalised)
    if problems:
        errors[field] = problems
    return out


def clean_partner_fields(data: dict) -> dict:
    errors: dict[str, list[str]] = {}
    cleaned: dict = {}
    if "name" in data:
        name = (data["name"] or "").strip()
        if not name:
            errors["name"] = ["This field is required."]
        elif len(name) > 200:
            errors["name"] = ["At most 200 characters."]
        cleaned["name"] = name
    if "domains" in data:
        cleaned["domains"] = _clean_list(data["domains"], normalize_domain_strict, "domains", errors)
    if "networks" in data:
        cleaned["networks"] = _clean_list(data["networks"], normalize_network, "networks", errors)
    for name in ("contract_start", "contract_end"):
        if name in data:
            value = data[name]
            if value is not None and (not isinstance(value, date) or isinstance(value, datetime)):
                errors[name] = ["Must be a date."]
            cleaned[name] = value
    if "criticality" in data:
        if data["criticality"] not in BusinessPartner.Criticality.values:
            errors["criticality"] = [f"Must be one of: {', '.join(BusinessPartner.Criticality.values)}."]
        else:
            cleaned["criticality"] = data["criticality"]
    for name in ("contacts", "notes"):
        if name in data:
            cleaned[name] = (data[name] or "").strip()
    if errors:
        raise Unprocessable("Invalid business partner.", errors=errors)
    return cleaned


def _check_dates(partner: BusinessPartner) -> None:
    if partner.contract_start and partner.contract_end and partner.contract_end < partner.contract_start:
        raise Unprocessable(
            "Invalid business partner.",
            errors={"contract_end": ["The contract cannot end before it starts."]},
        )


@transaction.atomic
def partner_create(*, by, name: str, via: str = Via.SYSTEM, **fields) -> BusinessPartner:
    check_can_manage(by)
    _refuse_unknown(fields, PARTNER_FIELDS, "Not a partner field.")
    cleaned = clean_partner_fields({"name": name, **fields})
    if BusinessPartner.objects.filter(name__iexact=cleaned["name"]).exists():
        raise Conflict(f"A partner named {cleaned['name']!r} already exists.")
    partner = BusinessPartner(**cleaned)
    _check_dates(partner)
    partner.save()
    return _created(partner, by=by, via=via)


@transaction.atomic
def partner_update(*, by, partner: BusinessPartner, via: str = Via.SYSTEM, **changes) -> BusinessPartner:
    """Change some fields; a change that changes nothing writes no audit row."""
    check_can_manage(by)
    _refuse_unknown(changes, PARTNER_FIELDS, "Not a partner field.")
    partner, before = _changed(partner, clean_partner_fields(changes))
    _check_dates(partner)
    if BusinessPartner.objects.filter(name__iexact=partner.name).exclude(pk=partner.pk).exists():
        raise Conflict(f"A partner named {partner.name!r} already exists.")
    return _save_change(partner, before, by=by, via=via)
