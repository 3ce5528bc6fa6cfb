"""What a sender adds to an alert it already sent: observables (TheHive's "create the
alert, then add observables" flow) and evidence files (attachments).

Both write the alert's case too: an observable added to an alert is an observable of its
case (linked with the alert's event time, as intake links them) and is enriched like one
that came with the alert; a file is evidence of the case. Correlation is not re-run: the
alert stays in its case, and later alerts can correlate on the new observables. An
observable that is no entity (KeptObservable: a TheHive dataType Vigil has no type for)
is kept on the alert as sent, neither linked to the case nor enriched.
"""

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass

from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import F
from django.db.models.functions import Greatest, Least
from django.utils import timezone

from cases.ingest.base import ObservableTuple, dedupe_observables
from cases.ingest.store import ensure_observables
from cases.models import Alert, AlertAttachment, AlertObservable, CaseObservable, IngestSource, KeptObservable
from cases.services import events
from cases.services.intake import relay_enrichment


@dataclass(frozen=True, slots=True)
class EvidenceFile:
    """A file as received: the sender's name and declared type, and its bytes."""

    name: str
    content_type: str
    content: bytes


@dataclass(frozen=True, slots=True)
class KeptValue:
    """An observable Vigil keeps no entity for, as the sender declared it (TheHive's
    dataType, one value of its data, its message and tags)."""

    data_type: str
    data: str
    message: str = ""
    tags: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Added:
    """The alert's rows for what was added (new and existing), in input order."""

    links: list[AlertObservable]
    kept: list[KeptObservable]


@transaction.atomic
def alert_observables_add(
    *,
    alert: Alert,
    observables: Sequence[ObservableTuple],
    kept: Sequence[KeptValue] = (),
    source: IngestSource,
) -> Added:
    """Link already-normalised (type, value, role) observables to the alert and its case,
    and keep the `kept` values on the alert; what the alert already has is left as it is.
    One timeline event names what is new. Enrichment is sent on commit."""
    links, new_links = _link(alert, observables)
    kept_rows, new_kept = _keep(alert, kept)
    if new_links or new_kept:
        added = [f"{link.observable.type}:{link.observable.value}" for link in new_links]
        added += [f"{row.data_type}:{_short(row.data)}" for row in new_kept]
        events.record(events.observables_added(alert.case, alert=alert, observables=added, source=source))
    return Added(links=links, kept=kept_rows)


def _short(text: str, limit: int = 200) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _link(alert: Alert, observables: Sequence[ObservableTuple]) -> tuple[list[AlertObservable], list]:
    """(the alert's links for `observables`, in input order; the new ones)."""
    wanted = dedupe_observables(observables)
    if not wanted:
        return [], []
    found = ensure_observables((t, v) for t, v, _ in wanted)
    existing = set(
        AlertObservable.objects.filter(
            alert=alert, observable_id__in=[o.pk for o in found.values()]
        ).values_list("observable_id", flat=True)
    )
    new_links = [
        AlertObservable(alert=alert, observable=found[(t, v)], role=role)
        for t, v, role in wanted
        if found[(t, v)].pk not in existing
    ]
    AlertObservable.objects.bulk_create(new_links, ignore_conflicts=True)
    if new_links:
        _link_to_case(alert, [link.observable_id for link in new_links])
        transaction.on_commit(lambda: relay_enrichment([alert.pk]))
    by_observable = {
        link.observable_id: link
        for link in AlertObservable.objects.filter(
            alert=alert, observable_id__in=[found[(t, v)].pk for t, v, _ in wanted]
        ).select_related("observable")
    }
    return [by_observable[found[(t, v)].pk] for t, v, _ in wanted], new_links


def _keep(alert: Alert, kept: Sequence[KeptValue]) -> tuple[list[KeptObservable], list[KeptObservable]]:
    """(the alert's kept rows for `kept`, in input order; the new ones). A value is the
    same as one the alert keeps when its dataType and its SHA-256 are."""
    wanted: dict[tuple[str, str], KeptValue] = {}
    for item in kept:
        wanted.setdefault(
            (item.data_type, hashlib.sha256(item.data.encode("utf-8", "surrogatepass")).hexdigest()), item
        )
    if not wanted:
        return [], []

    def stored() -> dict[tuple[str, str], KeptObservable]:
        rows = KeptObservable.objects.filter(alert=alert, digest__in={digest for _, digest in wanted})
        return {(row.data_type, row.digest): row for row in rows}

    existing = stored()
    now = timezone.now()
    new = [
        KeptObservable(
            alert=alert,
            data_type=data_type,
            data=item.data,
            digest=digest,
            message=item.message,
            tags=list(item.tags),
            received_at=now,
        )
        for (data_type, digest), item in wanted.items()
        if (data_type, digest) not in existing
    ]
    KeptObservable.objects.bulk_create(new, ignore_conflicts=True)
    rows = stored() if new else existing
    return [rows[key] for key in wanted], [rows[(row.data_type, row.digest)] for row in new]


def _link_to_case(alert: Alert, observable_ids: list[int]) -> None:
    """Case links spanning the alert's event time: new ones inserted, existing ones widened."""
    at = alert.observed_at
    linked = set(
        CaseObservable.objects.filter(case_id=alert.case_id, observable_id__in=observable_ids).values_list(
            "observable_id", flat=True
        )
    )
    CaseObservable.objects.bulk_create(
        [
            CaseObservable(case_id=alert.case_id, observable_id=pk, first_seen_at=at, last_seen_at=at)
            for pk in observable_ids
            if pk not in linked
        ],
        ignore_conflicts=True,
    )
    if linked:
        CaseObservable.objects.filter(case_id=alert.case_id, observable_id__in=linked).update(
            first_seen_at=Least(F("first_seen_at"), at), last_seen_at=Greatest(F("last_seen_at"), at)
        )


@transaction.atomic
def alert_evidence_add(
    *, alert: Alert, files: Sequence[EvidenceFile], source: IngestSource
) -> list[AlertAttachment]:
    """Store each file as evidence of the alert (and so of its case), with its SHA-256."""
    now = timezone.now()
    stored = []
    for item in files:
        attachment = AlertAttachment(
            alert=alert,
            name=item.name[:255] or "attachment",
            content_type=item.content_type[:100],
            size=len(item.content),
            sha256=hashlib.sha256(item.content).hexdigest(),
            received_at=now,
        )
        # Written before the row: a rolled-back transaction leaves an unreferenced file under
        # MEDIA_ROOT/evidence (harmless, never served), never a row without its file.
        attachment.file.save("evidence", ContentFile(item.content), save=False)
        attachment.save()
        stored.append(attachment)
    if stored:
        events.record(events.evidence_added(alert.case, alert=alert, files=stored, source=source))
    return stored
