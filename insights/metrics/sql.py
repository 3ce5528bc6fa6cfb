"""Portable SQL pieces: durations in seconds, and percentiles (PostgreSQL's
percentile_cont; on SQLite the values come back concatenated and are interpolated the
same way in Python, still one query)."""

from __future__ import annotations

from django.db.models import Aggregate, FloatField, Func


class Seconds(Func):
    """end - start in seconds (a float), NULL when either is NULL."""

    output_field = FloatField()
    arity = 2

    def as_postgresql(self, compiler, connection, **extra):
        return self.as_sql(
            compiler, connection, template="EXTRACT(EPOCH FROM (%(expressions)s))", arg_joiner=" - "
        )

    def as_sqlite(self, compiler, connection, **extra):
        return self.as_sql(
            compiler,
            connection,
            template="((julianday(%(expressions)s)) * 86400.0)",
            arg_joiner=") - julianday(",
        )


def interpolate(values: list[float], fraction: float) -> float | None:
    """percentile_cont: linear interpolation between the closest ranks."""
    if not values:
        return None
    values = sorted(values)
    position = fraction * (len(values) - 1)
    low = int(position)
    high = min(low + 1, len(values) - 1)
    return values[low] + (values[high] - values[low]) * (position - low)


class Percentile(Aggregate):
    """percentile_cont(fraction) WITHIN GROUP (ORDER BY expression)."""

    function = "percentile_cont"
    name = "Percentile"
    output_field = FloatField()
    allow_distinct = False

    def __init__(self, expression, fraction: float, **extra):
        self.fraction = float(fraction)
        # Set on the instance: Aggregate.as_sql cannot take a template argument with a filter.
        self.template = f"%(function)s({self.fraction!r}) WITHIN GROUP (ORDER BY %(expressions)s)"
        super().__init__(expression, **extra)

    def as_sqlite(self, compiler, connection, **extra):
        clone = self.copy()
        clone.function = "group_concat"
        clone.template = "%(function)s(%(expressions)s)"
        return super(Percentile, clone).as_sql(compiler, connection, **extra)

    def get_db_converters(self, connection):
        return [self._convert]

    def _convert(self, value, expression, connection):
        if isinstance(value, str):
            return interpolate([float(v) for v in value.split(",") if v], self.fraction)
        return float(value) if value is not None else None
