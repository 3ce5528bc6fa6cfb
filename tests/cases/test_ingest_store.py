"""cases.ingest.store.new_row: the fast constructor intake uses builds what the model's
own constructor builds."""

from datetime import UTC, datetime

import pytest
from django.db.models.signals import post_init

from cases.ingest.store import new_row
from cases.models import Alert, Case, CaseEvent, IngestSource

NOW = datetime(2026, 3, 4, 13, 41, 7, tzinfo=UTC)


def fields(obj) -> dict:
    return {f.attname: getattr(obj, f.attname) for f in type(obj)._meta.concrete_fields}


@pytest.mark.parametrize(
    ("model", "values"),
    [
        (Case, {"title": "t", "severity": 3, "technique_id": "T1591.002", "opened_at": NOW}),
        (Alert, {"source_ref": "r", "title": "t", "observed_at": NOW, "raw": {"a": 1}, "case_id": 7}),
        (CaseEvent, {"case_id": 3, "verb": "created", "data": {"k": "v"}}),
    ],
)
def test_new_row_equals_the_constructor(model, values):
    fast, slow = new_row(model, **values), model(**values)
    assert fields(fast) == fields(slow)
    assert fast._state.adding and fast._state.db is None


def test_new_row_defaults_are_fresh_and_related_objects_cached():
    source = IngestSource(pk=5, name="s")
    a, b = new_row(Alert, source=source), new_row(Alert, source=source)
    assert a.raw == {} and a.raw is not b.raw and a.tags is not b.tags
    assert a.source_id == 5 and a.source is source  # no query: cached like the descriptor does


def test_new_row_refuses_unknown_fields():
    with pytest.raises(TypeError):
        new_row(Case, nonsense=1)


def test_new_row_uses_the_constructor_when_init_signals_are_connected():
    seen = []

    def receiver(sender, instance, **kwargs):
        seen.append(instance)

    post_init.connect(receiver, sender=CaseEvent)
    try:
        event = new_row(CaseEvent, case_id=1, verb="created")
    finally:
        post_init.disconnect(receiver, sender=CaseEvent)
    assert seen == [event]


@pytest.mark.postgres_or_redis
@pytest.mark.parametrize("model", [Case, Alert, CaseEvent])
def test_plain_values_are_sent_as_get_db_prep_save_would_send_them(model, db):
    from django.db import connection

    from cases.ingest.store.writes import _plain_types, _prepared

    if connection.vendor != "postgresql":
        pytest.skip("the fast path is PostgreSQL's (DATABASE_URL=postgres://...)")
    samples = {bool: [True, None], int: [3, None, 2**40], str: ["x", "", None], datetime: [NOW, None]}
    checked = 0
    for field in model._meta.concrete_fields:
        plain = _plain_types(field)
        for values in [samples[t] for t in plain]:
            expected = [field.get_db_prep_save(v, connection) for v in values]
            assert _prepared(field, values, plain, connection) == expected, field.name
            checked += 1
    assert checked >= 5


def test_values_that_need_conversion_take_the_field_path():
    from django.db import connection

    from cases.ingest.store.writes import _plain_types, _prepared

    raw = Alert._meta.get_field("raw")
    assert _plain_types(raw) == ()
    observed = Alert._meta.get_field("observed_at")
    naive = datetime(2026, 3, 4, 13, 41, 7)
    with pytest.warns(RuntimeWarning, match="naive datetime"):
        sent = _prepared(observed, [NOW, naive], _plain_types(observed), connection)
    with pytest.warns(RuntimeWarning, match="naive datetime"):
        assert sent == [observed.get_db_prep_save(v, connection) for v in (NOW, naive)]
