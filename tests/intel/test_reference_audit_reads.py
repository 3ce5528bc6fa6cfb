"""Reading the reference-data audit trail: /api/v1/reference/changes/ and the read-only
admin, for SOC managers and superusers only; the list's query count is flat."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from intel import services
from intel.imports import import_networks_csv
from intel.models import ReferenceChange
from soc.roles import Role
from tests.conftest import make_user

pytestmark = pytest.mark.django_db

CHANGES = "/api/v1/reference/changes/"
ADMIN = "/admin/intel/referencechange/"
Action, Via = ReferenceChange.Action, ReferenceChange.Via


@pytest.fixture
def trail(manager):
    """A create and a change through the API path, a partner from code, an import."""
    network = services.network_create(by=manager, cidr="203.0.113.0/24", list="malicious", via=Via.API)
    services.network_update(by=manager, network=network, label="scrapers", via=Via.API)
    services.partner_create(by=None, name="Acme")
    import_networks_csv("cidr,list\n192.0.2.0/24,benign\n", by=manager, via=Via.UPLOAD, file="office.csv")
    return network


def test_managers_list_the_trail_newest_first_with_diffs(client, manager, trail):
    client.force_login(manager)
    body = client.get(CHANGES).json()
    assert body["count"] == 5
    newest, *_, oldest = body["results"]
    assert (oldest["action"], oldest["actor"], oldest["via"], oldest["object_id"]) == (
        "create",
        "carol_manager",
        "api",
        trail.pk,
    )
    assert newest["batch"] is not None and newest["natural_key"] == "192.0.2.0/24 benign -"
    change = next(row for row in body["results"] if row["action"] == "change")
    assert change["changes"] == {"label": ["", "scrapers"]}


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("kind=partner", [("create", "Acme")]),
        ("action=import", [("import", "office.csv")]),
        ("via=api&action=change", [("change", "203.0.113.0/24 malicious -")]),
        ("q=203.0.113", [("change", "203.0.113.0/24 malicious -"), ("create", "203.0.113.0/24 malicious -")]),
        ("actor=system", [("create", "Acme")]),
    ],
)
def test_the_list_filters_by_kind_action_path_key_and_actor(client, manager, trail, query, expected):
    client.force_login(manager)
    rows = client.get(f"{CHANGES}?{query}").json()["results"]
    assert [(row["action"], row["natural_key"]) for row in rows] == expected


def test_the_list_filters_by_object_batch_and_time(client, manager, trail):
    client.force_login(manager)
    by_object = client.get(f"{CHANGES}?kind=network&object_id={trail.pk}").json()["results"]
    assert [row["action"] for row in by_object] == ["change", "create"]
    summary = ReferenceChange.objects.get(action=Action.IMPORT)
    in_batch = client.get(f"{CHANGES}?batch={summary.pk}").json()["results"]
    assert [row["natural_key"] for row in in_batch] == ["192.0.2.0/24 benign -"]
    later = summary.at.isoformat().replace("+00:00", "Z")
    assert client.get(f"{CHANGES}?since={later}").json()["count"] == 2  # the summary and its entry
    assert client.get(f"{CHANGES}?until={later}").json()["count"] == 3


@pytest.mark.parametrize(
    ("persona", "status"), [("l1", 403), ("t2", 403), ("outsider", 403), ("admin_user", 200)]
)
def test_only_managers_and_superusers_read_the_trail(client, request, trail, persona, status):
    client.force_login(request.getfixturevalue(persona))
    assert client.get(CHANGES).status_code == status


def test_anonymous_is_401_ingest_tokens_403_and_writes_are_refused(client, manager, ingest_source):
    assert client.get(CHANGES).status_code == 401
    _, token = ingest_source
    assert client.get(CHANGES, HTTP_AUTHORIZATION=f"Token {token}").status_code == 403
    client.force_login(manager)
    assert client.post(CHANGES, {}, content_type="application/json").status_code == 405


def test_the_list_query_count_does_not_grow_with_rows(client, manager):
    client.force_login(manager)

    def queries_for_list() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert client.get(CHANGES).status_code == 200
        return len(captured)

    services.network_create(by=manager, cidr="192.0.2.1", list="malicious", via=Via.API)
    queries_for_list()  # warm: the first request also loads per-process caches
    few = queries_for_list()
    import_networks_csv(
        "cidr,list\n" + "".join(f"198.51.100.{n},benign\n" for n in range(40)), by=manager, via=Via.UPLOAD
    )
    assert ReferenceChange.objects.count() == 42
    assert queries_for_list() == few


# --- admin -------------------------------------------------------------------------------------


def test_managers_browse_and_search_the_trail_in_the_admin(client, manager, trail):
    client.force_login(manager)
    page = client.get(ADMIN)
    assert page.status_code == 200
    body = page.content.decode()
    assert "office.csv" in body and "Acme" in body
    found = client.get(f"{ADMIN}?q=203.0.113").content.decode()
    assert "203.0.113.0/24 malicious -" in found and "Acme" not in found
    filtered = client.get(
        f"{ADMIN}?kind__exact=partner&action__exact=create&via__exact=system"
    ).content.decode()
    assert "Acme" in filtered and "office.csv" not in filtered
    row = ReferenceChange.objects.get(action=Action.CHANGE)
    assert client.get(f"{ADMIN}{row.pk}/change/").status_code == 200  # a read-only view


def test_the_admin_trail_cannot_be_added_changed_or_deleted(client, manager, admin_user, trail):
    row = ReferenceChange.objects.get(action=Action.CHANGE)
    for user in (manager, admin_user):
        client.force_login(user)
        assert client.get(f"{ADMIN}add/").status_code == 403
        assert client.post(f"{ADMIN}{row.pk}/change/", {"actor_name": "someone"}).status_code == 403
        assert client.post(f"{ADMIN}{row.pk}/delete/", {"post": "yes"}).status_code == 403
        client.post(ADMIN, {"action": "delete_selected", "_selected_action": [row.pk], "post": "yes"})
    row.refresh_from_db()
    assert row.actor_name == "carol_manager"


def test_staff_without_the_audit_permission_get_403_in_the_admin(client, django_user_model, trail):
    staff_analyst = make_user(django_user_model, "trent_t2_staff", Role.T2, is_staff=True)
    client.force_login(staff_analyst)
    assert client.get(ADMIN).status_code == 403
    row = ReferenceChange.objects.first()
    assert client.get(f"{ADMIN}{row.pk}/change/").status_code == 403


def test_the_admin_list_query_count_does_not_grow_with_rows(client, manager):
    client.force_login(manager)

    def queries_for_page() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert client.get(ADMIN).status_code == 200
        return len(captured)

    import_networks_csv("cidr,list\n192.0.2.1,benign\n", by=manager, via=Via.UPLOAD)
    queries_for_page()  # warm: the first request also loads per-process caches
    few = queries_for_page()
    import_networks_csv(
        "cidr,list\n" + "".join(f"198.51.100.{n},benign\n" for n in range(40)), by=manager, via=Via.UPLOAD
    )
    assert queries_for_page() == few
