"""TheHive 3/4's alert search (POST /api/alert/_search), as thehive4py 1.x's `find_alerts`
sends it: the criteria in the body, `range` and `sort` in the query string.

    POST /api/alert/_search?range=0-10&sort=-createdAt
    {"query": {"_and": [{"_field": "sourceRef", "_value": "x"}, {"_gte": {"severity": 2}}]}}

The criteria are those of thehive4py.query (Eq, Gt/Gte/Lt/Lte, And, Or, Not, In, Between,
Id, Like, StartsWith/EndsWith); `parse_search` rewrites them into the TheHive 5 filter
forms that query.py already answers, so both APIs filter the same way. Pure: a Plan, or
QueryError naming what Vigil does not answer.
"""

from .query import MAX_PAGE, Plan, QueryError, sort_columns, to_q

# TheHive 3/4 field names that TheHive 5 spells otherwise.
FIELD_NAMES = {"createdAt": "_createdAt", "updatedAt": "_updatedAt", "id": "_id"}
RANGES = {"_gt", "_gte", "_lt", "_lte"}
PASSED_ON = {"_id", "_in", "_between", "_like"}
UNANSWERED = {
    "_contains": "Contains (whether a field is set)",
    "_string": "String (Elasticsearch query strings)",
    "_parent": "Parent/ParentId",
    "_child": "Child",
    "_type": "Type",
}


def _field(name) -> str:
    if not isinstance(name, str):
        raise QueryError("A field name is a string.")
    return FIELD_NAMES.get(name, name)


def _flatten(criteria) -> list:
    """And([a, b]) and And(a, b) both reach the server, as [[a, b]] and [a, b]."""
    if not isinstance(criteria, list | tuple):
        raise QueryError("_and and _or take a list of criteria.")
    flat = []
    for item in criteria:
        flat.extend(_flatten(item) if isinstance(item, list | tuple) else [item])
    return flat


def _wildcard(args) -> dict:
    if not isinstance(args, dict) or not isinstance(args.get("_value"), str):
        raise QueryError("_wildcard needs {_field, _value}.")
    value = args["_value"]
    inner = {"_field": _field(args.get("_field")), "_value": value.strip("*")}
    if value.startswith("*") and value.endswith("*"):
        return {"_like": inner}
    return {"_startsWith": inner} if value.endswith("*") else {"_endsWith": inner}


def to_v1(criterion) -> dict | None:
    """One TheHive 3/4 criterion in TheHive 5's filter form (None: no criterion at all)."""
    if criterion == {}:
        return None
    if not isinstance(criterion, dict):
        raise QueryError("A criterion is an object.")
    if set(criterion) == {"_field", "_value"}:  # Eq
        return {"_eq": {"_field": _field(criterion["_field"]), "_value": criterion["_value"]}}
    if len(criterion) != 1:
        raise QueryError("A criterion is an object with one operator.")
    ((op, args),) = criterion.items()
    if op in ("_and", "_or"):
        parts = [part for part in (to_v1(c) for c in _flatten(args)) if part is not None]
        return {op: parts} if parts else None
    if op == "_not":
        inner = to_v1(args)
        if inner is None:
            raise QueryError("_not needs a criterion.")
        return {"_not": inner}
    if op in RANGES:
        if not isinstance(args, dict) or len(args) != 1:
            raise QueryError(f"{op} takes {{field: value}}.")
        ((name, value),) = args.items()
        return {op: {"_field": _field(name), "_value": value}}
    if op == "_wildcard":
        return _wildcard(args)
    if op in PASSED_ON:
        if isinstance(args, dict) and "_field" in args:
            args = {**args, "_field": _field(args["_field"])}
        return {op: args}
    if op in UNANSWERED:
        raise QueryError(f"Vigil does not answer {UNANSWERED[op]} in an alert search.")
    raise QueryError(f"Vigil does not answer the criterion {op!r}.")


def _range(value: str) -> tuple[int, int]:
    """`all`, or `from-to` (TheHive's pages: rows from..to-1)."""
    if value in ("", "all"):
        return 0, MAX_PAGE
    start, dash, end = value.partition("-")
    if not dash or not start.isdigit() or not end.isdigit() or int(end) < int(start):
        raise QueryError("range is 'all' or 'from-to', e.g. 0-10.")
    return int(start), min(int(end), int(start) + MAX_PAGE)


def _sort(fields: list[str]) -> list[dict]:
    """thehive4py's sort=['-createdAt', '+title'] as TheHive 5's [{field: direction}]."""
    order = []
    for item in fields:
        name = item.lstrip("+-")
        if not name:
            raise QueryError("sort takes field names, '-' before one for descending.")
        order.append({_field(name): "desc" if item.startswith("-") else "asc"})
    return order


def parse_search(body, *, range_: str, sort: list[str], postgres: bool) -> Plan:
    if body in (None, ""):
        body = {}
    if not isinstance(body, dict):
        raise QueryError('Expected {"query": {...}}.')
    plan = Plan(kind="alerts")
    criterion = to_v1(body.get("query", {}))
    if criterion is not None:
        plan.q = to_q(criterion, postgres=postgres)
    if sort:
        plan.order_by = sort_columns(_sort(sort))
    plan.start, plan.end = _range(range_)
    return plan
