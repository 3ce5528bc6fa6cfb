"""Per-source counters without a row every request must lock.

Each intake transaction inserts one IngestTally row (its alert count and time) instead of
updating its IngestSource. `fold_ingest_tallies` (beat, every
VIGIL_INGEST_TALLY_FOLD_SECONDS) moves them into the sources: deleted and summed in one
transaction, so a tally is counted exactly once even when two folds overlap (the second
finds the rows gone). What a reader sees: `IngestSource.alert_count`/`last_seen_at` as of
the last fold; `IngestSource.objects.with_live_counts()` adds the tallies not folded yet,
which is exact for every committed request.
"""

from django.db import transaction
from django.db.models import F, Max, Sum
from django.db.models.functions import Greatest

from cases.models import IngestSource, IngestTally


@transaction.atomic
def fold_ingest_tallies(*, limit: int = 50_000) -> int:
    """Fold up to `limit` tallies into their sources; returns how many were folded."""
    # SKIP LOCKED: a concurrent fold takes other rows instead of waiting for these.
    ids = list(
        IngestTally.objects.select_for_update(skip_locked=True)
        .order_by("pk")
        .values_list("pk", flat=True)[:limit]
    )
    if not ids:
        return 0
    totals = (
        IngestTally.objects.filter(pk__in=ids)
        .order_by()
        .values("source_id")
        .annotate(n=Sum("alerts"), last=Max("last_seen_at"))
    )
    for row in totals:
        IngestSource.objects.filter(pk=row["source_id"]).update(
            alert_count=F("alert_count") + row["n"],
            last_seen_at=Greatest(F("last_seen_at"), row["last"]),
        )
        # Greatest() is NULL on PostgreSQL when last_seen_at is NULL: the first fold sets it.
        IngestSource.objects.filter(pk=row["source_id"], last_seen_at__isnull=True).update(
            last_seen_at=row["last"]
        )
    IngestTally.objects.filter(pk__in=ids).delete()
    return len(ids)
