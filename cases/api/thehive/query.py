"""TheHive 5's query language (POST /api/v1/query), as far as thehive4py's alert and case
calls use it: `alert.find` and `alert.count` (listAlert, filter, sort, page, count),
`alert.find_observables` (getAlert, observables), `case.find` and `case.count` (listCase).

    [{"_name": "listAlert"}, {"_name": "filter", "_eq": {"_field": "title", "_value": "x"}},
     {"_name": "sort", "_fields": [{"_createdAt": "desc"}]},
     {"_name": "page", "from": 0, "to": 10}, {"_name": "count"}]

`parse` is pure: it turns the query into a Plan (a Q over Alert or Case, an ordering, a
slice) or raises QueryError naming what Vigil does not answer. The view runs the plan on
the caller's own alerts, or the cases that hold them.
"""

import json
from dataclasses import dataclass, field
from datetime import UTC, datetime

from django.db.models import Q

from cases.models import Case

from .render import RESOLUTION_STATUSES

MAX_PAGE = 1000


class QueryError(ValueError):
    pass


@dataclass
class Plan:
    kind: str  # "alerts", "cases" or "observables"
    q: Q = field(default_factory=Q)
    order_by: list[str] = field(default_factory=lambda: ["-received_at", "-pk"])
    start: int = 0
    end: int = MAX_PAGE
    count: bool = False
    alert_id: str = ""


def _time(value) -> datetime:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise QueryError("Dates are epoch milliseconds.")
    try:
        return datetime.fromtimestamp(value / 1000, tz=UTC)
    except (OverflowError, OSError, ValueError):
        raise QueryError("Date out of range.") from None


def _severity(value) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise QueryError("severity is 1-4.")
    return value


def _pk(value) -> int:
    try:
        return int(str(value))
    except ValueError:
        raise QueryError(f"Unknown alert id {str(value)[:40]!r}.") from None


# TheHive field -> (Vigil column, value converter).
FIELDS = {
    "_id": ("pk", _pk),
    "title": ("title", str),
    "description": ("description", str),
    "severity": ("severity", _severity),
    "date": ("observed_at", _time),
    "_createdAt": ("received_at", _time),
    "_updatedAt": ("received_at", _time),
}
CASE_FIELDS = {
    "_id": ("pk", _pk),
    "number": ("pk", _pk),
    "title": ("title", str),
    "severity": ("severity", _severity),
    "_createdAt": ("opened_at", _time),
    "_updatedAt": ("updated_at", _time),
}
COMPARISONS = {"_eq": "exact", "_gt": "gt", "_gte": "gte", "_lt": "lt", "_lte": "lte"}
TEXT_MATCHES = {
    "_startsWith": "startswith",
    "_endsWith": "endswith",
    "_like": "icontains",
    "_match": "icontains",
}
NOTHING = Q(pk__in=[])
IMPORTED = "Imported"  # every Vigil alert's status and stage: it is in a case from its arrival


def _field_value(args) -> tuple[str, object]:
    if not isinstance(args, dict) or not isinstance(args.get("_field"), str):
        raise QueryError("A filter needs {_field, _value}.")
    return args["_field"], args.get("_value")


def _string(name: str, value) -> str:
    if not isinstance(value, str):
        raise QueryError(f"{name} is a string.")
    return value


def _identity_q(name: str, value, postgres: bool) -> Q:
    """sourceRef, source and type: Vigil stores TheHive's identity as one id,
    "type:source:sourceRef" (cases.ingest.thehive)."""
    value = _string(name, value)
    if name == "sourceRef":
        return Q(source_ref=value) | Q(source_ref__endswith=f":{value}")
    if name == "type":
        return Q(source_ref__startswith=f"{value}:")
    return Q(source_ref__contains=f":{value}:")


def _tags_q(name: str, value, postgres: bool) -> Q:
    value = _string(name, value)
    return Q(tags__contains=[value]) if postgres else Q(tags__icontains=json.dumps(value))


def _alert_status_q(name: str, value, postgres: bool) -> Q:
    return Q() if _string(name, value) == IMPORTED else NOTHING


def _alert_case_q(name: str, value, postgres: bool) -> Q:
    return Q(case_id=_pk(value))


CLOSED = (Case.Status.RESOLVED, Case.Status.CLOSED)
RESOLUTIONS = {label: value for value, label in RESOLUTION_STATUSES.items()}


def _case_stage_q(name: str, value, postgres: bool) -> Q:
    """TheHive's stage (New, InProgress, Closed) and status (those, or a closed case's
    resolution: TruePositive, FalsePositive, Duplicated, Other, Indeterminate), as
    render.case answers them."""
    value = _string(name, value)
    if value == "New":
        return Q(status=Case.Status.NEW)
    if value == "InProgress":
        return ~Q(status__in=[Case.Status.NEW, *CLOSED])
    if value == "Closed" and name == "stage":
        return Q(status__in=CLOSED)
    if name == "status" and value in RESOLUTIONS:
        return Q(status__in=CLOSED, resolution=RESOLUTIONS[value])
    if name == "status" and value == "Indeterminate":
        return Q(status__in=CLOSED) & ~Q(resolution__in=list(RESOLUTIONS.values()))
    return NOTHING


def _case_tags_q(name: str, value, postgres: bool) -> Q:
    return Q(technique_id=_string(name, value))


def _case_assignee_q(name: str, value, postgres: bool) -> Q:
    return Q(assignee__username=_string(name, value))


@dataclass(frozen=True)
class Entity:
    """What a query lists: its fields (TheHive name -> column, converter), the fields
    that compare only for equality (name -> Q), and the columns text matches apply to."""

    name: str
    fields: dict
    equality: dict
    text: tuple[str, ...]


ALERTS = Entity(
    "alerts",
    FIELDS,
    {
        "sourceRef": _identity_q,
        "source": _identity_q,
        "type": _identity_q,
        "tags": _tags_q,
        "status": _alert_status_q,
        "stage": _alert_status_q,
        "caseId": _alert_case_q,
    },
    ("title", "description"),
)
CASES = Entity(
    "cases",
    CASE_FIELDS,
    {"status": _case_stage_q, "stage": _case_stage_q, "tags": _case_tags_q, "assignee": _case_assignee_q},
    ("title",),
)


def _eq(name, value, entity: Entity, postgres: bool) -> Q:
    if isinstance(name, str) and name in entity.equality:
        return entity.equality[name](name, value, postgres)
    column, convert = _column(name, entity)
    return Q(**{column: convert(value)})


def _column(name, entity: Entity):
    if not isinstance(name, str):
        raise QueryError("A filter's _field is a field name (a string).")
    if name not in entity.fields:
        supported = ", ".join([*entity.fields, *entity.equality])
        raise QueryError(f"Vigil does not filter {entity.name} on {name!r}; it does on {supported}.")
    return entity.fields[name]


def to_q(expr, *, postgres: bool, entity: Entity = ALERTS) -> Q:
    """One filter expression (thehive4py.query.filters) as a Q over `entity`."""
    if not isinstance(expr, dict) or len(expr) != 1:
        raise QueryError("A filter is an object with one operator.")
    ((op, args),) = expr.items()
    if op == "_and" or op == "_or":
        if not isinstance(args, list) or not args:
            raise QueryError(f"{op} takes a list of filters.")
        parts = [to_q(a, postgres=postgres, entity=entity) for a in args]
        combined = parts[0]
        for part in parts[1:]:
            combined = combined & part if op == "_and" else combined | part
        return combined
    if op == "_not":
        return ~to_q(args, postgres=postgres, entity=entity)
    if op == "_id":
        return Q(pk=_pk(args))
    if op == "_eq":
        return _eq(*_field_value(args), entity, postgres)
    if op == "_ne":
        return ~_eq(*_field_value(args), entity, postgres)
    if op in COMPARISONS:
        name, value = _field_value(args)
        column, convert = _column(name, entity)
        return Q(**{f"{column}__{COMPARISONS[op]}": convert(value)})
    if op in TEXT_MATCHES:
        name, value = _field_value(args)
        column, _convert = _column(name, entity)
        if not isinstance(value, str) or column not in entity.text:
            raise QueryError(f"{op} applies to {' or '.join(entity.text)}, with a string.")
        return Q(**{f"{column}__{TEXT_MATCHES[op]}": value.strip("*")})
    if op == "_between":
        if not isinstance(args, dict):
            raise QueryError("_between needs {_field, _from, _to}.")
        column, convert = _column(args.get("_field"), entity)
        return Q(**{f"{column}__gte": convert(args.get("_from")), f"{column}__lt": convert(args.get("_to"))})
    if op == "_in":
        if not isinstance(args, dict) or not isinstance(args.get("_values"), list):
            raise QueryError("_in needs {_field, _values}.")
        parts = [_eq(args.get("_field"), v, entity, postgres) for v in args["_values"]]
        if not parts:
            return NOTHING
        combined = parts[0]
        for part in parts[1:]:
            combined |= part
        return combined
    raise QueryError(f"Vigil does not answer the filter operator {op!r}.")


def sort_columns(fields, entity: Entity = ALERTS) -> list[str]:
    """TheHive 5's sort fields [{field: asc|desc}] as an order_by (newest row last to break ties)."""
    if not isinstance(fields, list):
        raise QueryError("sort takes _fields: [{field: asc|desc}].")
    order = []
    for item in fields:
        if not isinstance(item, dict) or len(item) != 1:
            raise QueryError("Each sort field is {field: asc|desc}.")
        ((name, direction),) = item.items()
        column, _ = _column(name, entity)
        if direction not in ("asc", "desc"):
            raise QueryError("Sort direction is asc or desc.")
        order.append(("-" if direction == "desc" else "") + column)
    return [*order, "-pk"]


LISTS = {"listAlert": ALERTS, "listCase": CASES}
DEFAULT_ORDER = {"alerts": ("-received_at", "-pk"), "cases": ("-opened_at", "-pk")}


def parse(body, *, postgres: bool) -> Plan:
    if not isinstance(body, dict) or not isinstance(body.get("query"), list) or not body["query"]:
        raise QueryError('Expected {"query": [{"_name": ...}, ...]}.')
    steps = body["query"]
    if not all(isinstance(step, dict) for step in steps):
        raise QueryError("Each query step is an object with _name.")
    first = steps[0]
    if first.get("_name") in LISTS:
        entity = LISTS[first["_name"]]
        plan = Plan(kind=entity.name, order_by=list(DEFAULT_ORDER[entity.name]))
        rest = steps[1:]
    elif first.get("_name") == "getAlert" and len(steps) >= 2 and steps[1].get("_name") == "observables":
        entity = None
        plan = Plan(kind="observables", alert_id=str(first.get("idOrName", "")))
        rest = steps[2:]
    else:
        raise QueryError(
            "Vigil answers listAlert (alert.find / alert.count), getAlert + observables "
            "(alert.find_observables) and listCase (case.find / case.count)."
        )
    for step in rest:
        name = step.get("_name")
        if name == "filter" and entity is not None:
            expr = {k: v for k, v in step.items() if k != "_name"}
            plan.q &= to_q(expr, postgres=postgres, entity=entity)
        elif name == "sort" and entity is not None:
            plan.order_by = sort_columns(step.get("_fields"), entity)
        elif name == "page":
            start, end = step.get("from", 0), step.get("to", MAX_PAGE)
            if not all(isinstance(v, int) and not isinstance(v, bool) and v >= 0 for v in (start, end)):
                raise QueryError("page takes from and to, non-negative integers.")
            plan.start, plan.end = start, min(end, start + MAX_PAGE)
        elif name == "count":
            plan.count = True
        else:
            raise QueryError(f"Vigil does not answer the query step {name!r} here.")
    return plan
