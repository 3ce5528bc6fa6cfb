"""Portable SQL pieces: durations in seconds, and percentiles (PostgreSQL's
percentile_cont; on SQLite the values come back concatenated and are interpolated the
same way in Python, still one query).

Both are written for PostgreSQL's speed over a year of cases: durations are float8
(date_part; EXTRACT returns numeric since PostgreSQL 14, several times slower to compute
and sort), and the percentiles of one duration come from one sort (percentile_cont with
an array of fractions) instead of one sort per fraction."""

from __future__ import annotations

import math

from django.db.models import Aggregate, BigIntegerField, Field, FloatField, Func


class Seconds(Func):
    """end - start in seconds (a float), NULL when either is NULL."""

    output_field = FloatField()
    arity = 2
    postgresql = "date_part('epoch', %(expressions)s)"
    sqlite = "((julianday(%(expressions)s)) * 86400.0)"

    def as_postgresql(self, compiler, connection, **extra):
        return self.as_sql(compiler, connection, template=self.postgresql, arg_joiner=" - ")

    def as_sqlite(self, compiler, connection, **extra):
        return self.as_sql(compiler, connection, template=self.sqlite, arg_joiner=") - julianday(")


class Microseconds(Seconds):
    """end - start in whole microseconds (a bigint; timestamps hold microseconds, and a
    float8 of seconds is exact to the microsecond for any duration under 285 years), NULL
    when either is NULL. PostgreSQL sorts bigints with its specialised integer
    comparator, faster than float8's."""

    output_field = BigIntegerField()
    postgresql = "round(date_part('epoch', %(expressions)s) * 1000000)::bigint"
    sqlite = "CAST(round((julianday(%(expressions)s)) * 86400000000.0) AS INTEGER)"


def ranks(count: int, fraction: float) -> tuple[int, int, float]:
    """percentile_cont's two closest ranks (0-based) among ``count`` sorted values, and the
    weight of the higher one."""
    position = fraction * (count - 1)
    low = math.floor(position)
    return low, math.ceil(position), position - low


def interpolate(values: list[float], fraction: float) -> float | None:
    """percentile_cont: linear interpolation between the closest ranks."""
    if not values:
        return None
    values = sorted(values)
    low, high, weight = ranks(len(values), fraction)
    return values[low] + (values[high] - values[low]) * weight


class Percentiles(Aggregate):
    """percentile_cont(ARRAY[fractions]) WITHIN GROUP (ORDER BY expression): a list with
    one value per fraction (None for each when there are no values), from one sort."""

    function = "percentile_cont"
    name = "Percentiles"
    output_field = Field()  # a list of floats, made by _convert
    allow_distinct = False

    def __init__(self, expression, fractions, **extra):
        self.fractions = tuple(float(fraction) for fraction in fractions)
        array = ", ".join(repr(fraction) for fraction in self.fractions)
        # Set on the instance: Aggregate.as_sql cannot take a template argument with a filter.
        self.template = f"%(function)s(ARRAY[{array}]) WITHIN GROUP (ORDER BY %(expressions)s)"
        super().__init__(expression, **extra)

    def as_sqlite(self, compiler, connection, **extra):
        clone = self.copy()
        clone.function = "group_concat"
        clone.template = "%(function)s(%(expressions)s)"
        return super(Percentiles, clone).as_sql(compiler, connection, **extra)

    def get_db_converters(self, connection):
        return [self._convert]

    def _convert(self, value, expression, connection):
        if value is None or isinstance(value, str):
            values = [float(v) for v in (value or "").split(",") if v]
            return [interpolate(values, fraction) for fraction in self.fractions]
        return [float(v) if v is not None else None for v in value]


class Bytewise(Func):
    """A text column compared byte by byte (COLLATE "C" on PostgreSQL): for grouping and
    sorting ASCII codes without the database locale's comparison, several times cheaper
    per row. Elsewhere the column as it is."""

    template = "%(expressions)s"
    arity = 1

    def as_postgresql(self, compiler, connection, **extra):
        return self.as_sql(compiler, connection, template='(%(expressions)s) COLLATE "C"', **extra)

    @property
    def output_field(self):
        return self.source_expressions[0].output_field
