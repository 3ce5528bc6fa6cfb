"""The insights app's one table: counters shared by every process (insights.counters)."""

from django.db import models


class Counter(models.Model):
    """A monotonic count (ingest outcomes, request durations, task outcomes) for /metrics,
    used when the cache is private to each process (the embedded mode)."""

    key = models.CharField(max_length=200, unique=True)
    value = models.BigIntegerField(default=0)

    def __str__(self) -> str:
        return f"{self.key} = {self.value}"
