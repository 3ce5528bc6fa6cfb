"""Every path that changes reference data leaves exactly its audit rows (ReferenceChange):
who, which path, which entry (kept after a delete) and each field's [before, after]."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command

from intel import services
from intel.feeds import import_feed
from intel.imports import import_networks_csv
from intel.models import BusinessPartner, KnownNetwork, ReferenceChange

pytestmark = pytest.mark.django_db

Action, Via = ReferenceChange.Action, ReferenceChange.Via
NETWORKS_ADMIN = "/admin/intel/knownnetwork/"
PARTNERS_ADMIN = "/admin/intel/businesspartner/"
NETWORKS_API = "/api/v1/reference/networks/"
PARTNERS_API = "/api/v1/reference/partners/"
PARTNER_FORM = {
    "name": "Northwind",
    "domains": "northwind.example",
    "networks": "198.51.100.0/24",
    "contract_start": "2026-01-01",
    "contract_end": "",
    "criticality": "high",
    "contacts": "",
    "notes": "",
}


def only_row() -> ReferenceChange:
    rows = list(ReferenceChange.objects.all())
    assert len(rows) == 1, [str(r) for r in rows]
    return rows[0]


def clear_trail() -> None:
    """Forget the rows of the set-up, so each test sees only its own path's rows."""
    ReferenceChange.objects.exclude(batch=None).delete()  # import entries first (batch is PROTECT)
    ReferenceChange.objects.all().delete()


def network(cidr="203.0.113.0/24", label="scrapers", source="soc") -> KnownNetwork:
    created = services.network_create(by=None, cidr=cidr, list="malicious", label=label, source=source)
    clear_trail()
    return created


# --- admin ---------------------------------------------------------------------------------


def test_admin_add_records_every_field_as_created(client, manager):
    client.force_login(manager)
    response = client.post(
        f"{NETWORKS_ADMIN}add/",
        {"cidr": "203.0.113.0/24", "list": "malicious", "label": "x", "source": "soc"},
    )
    assert response.status_code == 302
    row = only_row()
    created = KnownNetwork.objects.get()
    assert (row.actor, row.actor_name, row.via, row.action) == (
        manager,
        "carol_manager",
        Via.ADMIN,
        Action.CREATE,
    )
    assert (row.kind, row.object_id, row.natural_key) == (
        "network",
        created.pk,
        "203.0.113.0/24 malicious soc",
    )
    assert row.changes == {
        "cidr": [None, "203.0.113.0/24"],
        "list": [None, "malicious"],
        "label": [None, "x"],
        "source": [None, "soc"],
        "shared": [None, False],
    }


def test_admin_change_records_only_the_fields_that_changed(client, manager):
    entry = network()
    client.force_login(manager)
    response = client.post(
        f"{NETWORKS_ADMIN}{entry.pk}/change/",
        {"cidr": entry.cidr, "list": "malicious", "label": "botnet", "source": "soc", "shared": "on"},
    )
    assert response.status_code == 302
    row = only_row()
    assert (row.action, row.via, row.actor, row.object_id) == (Action.CHANGE, Via.ADMIN, manager, entry.pk)
    assert row.changes == {"label": ["scrapers", "botnet"], "shared": [False, True]}


def test_admin_saving_an_unchanged_entry_records_nothing(client, manager):
    entry = network()
    client.force_login(manager)
    response = client.post(
        f"{NETWORKS_ADMIN}{entry.pk}/change/",
        {"cidr": entry.cidr, "list": "malicious", "label": "scrapers", "source": "soc"},
    )
    assert response.status_code == 302
    assert not ReferenceChange.objects.exists()


def test_admin_partner_lists_are_diffed_as_lists(client, manager):
    client.force_login(manager)
    assert client.post(f"{PARTNERS_ADMIN}add/", PARTNER_FORM).status_code == 302
    partner = BusinessPartner.objects.get()
    clear_trail()

    changed = {
        **PARTNER_FORM,
        "domains": "northwind.example\nnorthwind-mail.example",
        "contract_end": "2027-01-01",
    }
    assert client.post(f"{PARTNERS_ADMIN}{partner.pk}/change/", changed).status_code == 302
    row = only_row()
    assert (row.kind, row.natural_key, row.via) == ("partner", "Northwind", Via.ADMIN)
    assert row.changes == {
        "domains": [["northwind.example"], ["northwind.example", "northwind-mail.example"]],
        "contract_end": [None, "2027-01-01"],
    }


def test_admin_delete_keeps_the_natural_key_and_the_last_values(client, manager):
    entry = network()
    client.force_login(manager)
    assert client.post(f"{NETWORKS_ADMIN}{entry.pk}/delete/", {"post": "yes"}).status_code == 302
    assert not KnownNetwork.objects.exists()
    row = only_row()
    assert (row.action, row.via, row.object_id) == (Action.DELETE, Via.ADMIN, entry.pk)
    assert row.natural_key == "203.0.113.0/24 malicious soc"
    assert row.changes["cidr"] == ["203.0.113.0/24", None]
    assert row.changes["label"] == ["scrapers", None]


def test_admin_bulk_delete_action_records_one_row_per_entry(client, manager):
    first, second = network("203.0.113.0/24"), network("192.0.2.0/24")
    kept = network("198.51.100.0/24")
    client.force_login(manager)
    response = client.post(
        NETWORKS_ADMIN,
        {"action": "delete_selected", "_selected_action": [first.pk, second.pk], "post": "yes"},
    )
    assert response.status_code == 302
    assert list(KnownNetwork.objects.values_list("pk", flat=True)) == [kept.pk]
    rows = ReferenceChange.objects.order_by("object_id")
    assert [(r.object_id, r.action, r.via, r.actor) for r in rows] == [
        (first.pk, Action.DELETE, Via.ADMIN, manager),
        (second.pk, Action.DELETE, Via.ADMIN, manager),
    ]


def test_admin_csv_upload_writes_a_summary_and_its_entries(client, manager):
    network("203.0.113.0/24", label="old", source="")
    client.force_login(manager)
    upload = SimpleUploadedFile(
        "lists.csv",
        b"cidr,list,label\n203.0.113.0/24,malicious,new\n192.0.2.0/24,benign,office\nbad,benign,\n",
    )
    assert client.post(f"{NETWORKS_ADMIN}import-csv/", {"file": upload}).status_code == 200  # a row was bad

    summary = ReferenceChange.objects.get(action=Action.IMPORT)
    assert (summary.via, summary.actor, summary.natural_key, summary.object_id) == (
        Via.UPLOAD,
        manager,
        "lists.csv",
        None,
    )
    assert summary.changes == {
        "file": "lists.csv",
        "created": 1,
        "updated": 1,
        "unchanged": 0,
        "deleted": 0,
        "skipped": 1,
        "strict": False,
    }
    entries = {row.natural_key: row for row in summary.entries.all()}
    assert set(entries) == {"203.0.113.0/24 malicious -", "192.0.2.0/24 benign -"}
    assert entries["203.0.113.0/24 malicious -"].changes == {"label": ["old", "new"]}
    assert entries["192.0.2.0/24 benign -"].action == Action.CREATE
    assert entries["192.0.2.0/24 benign -"].object_id == KnownNetwork.objects.get(cidr="192.0.2.0/24").pk
    assert {(r.via, r.actor_id, r.at) for r in entries.values()} == {(Via.UPLOAD, manager.pk, summary.at)}


def test_admin_feed_upload_records_added_changed_and_removed_entries(client, manager):
    import_feed("192.0.2.1\n192.0.2.2\n", source="abuse", by=None)
    kept = KnownNetwork.objects.get(cidr="192.0.2.2")
    clear_trail()
    client.force_login(manager)
    feed = SimpleUploadedFile("abuse.txt", b"192.0.2.2\n192.0.2.3\n")
    response = client.post(
        f"{NETWORKS_ADMIN}import-feed/",
        {"file": feed, "source": "abuse", "label": "abuse.ch", "expires_at": ""},
    )
    assert response.status_code == 302

    summary = ReferenceChange.objects.get(action=Action.IMPORT)
    assert summary.changes["source"] == "abuse" and summary.changes["file"] == "abuse.txt"
    assert (summary.changes["created"], summary.changes["updated"], summary.changes["deleted"]) == (1, 1, 1)
    assert sorted((r.action, r.natural_key) for r in summary.entries.all()) == [
        (Action.CHANGE, "192.0.2.2 malicious abuse"),
        (Action.CREATE, "192.0.2.3 malicious abuse"),
        (Action.DELETE, "192.0.2.1 malicious abuse"),
    ]
    assert KnownNetwork.objects.get(cidr="192.0.2.2").pk == kept.pk  # a listed entry keeps its row
    assert summary.entries.get(action=Action.CHANGE).changes == {"label": ["feed abuse", "abuse.ch"]}


# --- API -----------------------------------------------------------------------------------


def test_api_create_update_delete_network_each_leave_their_row(client, manager):
    client.force_login(manager)
    created = client.post(
        NETWORKS_API, {"cidr": "203.0.113.7", "list": "malicious"}, content_type="application/json"
    )
    pk = created.json()["id"]
    client.patch(f"{NETWORKS_API}{pk}/", {"label": "scanner"}, content_type="application/json")
    client.patch(f"{NETWORKS_API}{pk}/", {"label": "scanner"}, content_type="application/json")  # no change
    assert client.delete(f"{NETWORKS_API}{pk}/").status_code == 204

    rows = list(ReferenceChange.objects.order_by("id"))
    assert [(r.action, r.via, r.actor, r.object_id) for r in rows] == [
        (Action.CREATE, Via.API, manager, pk),
        (Action.CHANGE, Via.API, manager, pk),
        (Action.DELETE, Via.API, manager, pk),
    ]
    assert rows[1].changes == {"label": ["", "scanner"]}
    assert rows[2].natural_key == "203.0.113.7 malicious -"


def test_api_partner_paths_and_a_refused_write_leaves_nothing(client, manager):
    client.force_login(manager)
    payload = {"name": "Acme", "domains": ["acme.example"], "contract_start": "2026-01-01"}
    pk = client.post(PARTNERS_API, payload, content_type="application/json").json()["id"]
    assert client.post(PARTNERS_API, payload, content_type="application/json").status_code == 409
    refused = client.patch(
        f"{PARTNERS_API}{pk}/", {"contract_end": "2025-01-01"}, content_type="application/json"
    )
    assert refused.status_code == 422
    client.put(
        f"{PARTNERS_API}{pk}/", {**payload, "criticality": "critical"}, content_type="application/json"
    )
    client.delete(f"{PARTNERS_API}{pk}/")

    rows = list(ReferenceChange.objects.order_by("id"))
    assert [r.action for r in rows] == [Action.CREATE, Action.CHANGE, Action.DELETE]
    assert {(r.via, r.kind, r.natural_key, r.object_id) for r in rows} == {(Via.API, "partner", "Acme", pk)}
    assert rows[0].changes["contract_start"] == [None, "2026-01-01"]
    assert rows[1].changes == {"criticality": ["medium", "critical"]}


# --- import command and code ----------------------------------------------------------------


def test_import_command_is_recorded_with_the_file_and_no_user(tmp_path, capsys):
    path = tmp_path / "networks.csv"
    path.write_text("cidr,list,label\n203.0.113.0/24,malicious,scrapers\n")
    call_command("import_reference", "networks", str(path))
    path.write_text("cidr,list,label\n203.0.113.0/24,malicious,botnet\n")
    call_command("import_reference", "networks", str(path))

    first, second = ReferenceChange.objects.filter(action=Action.IMPORT).order_by("id")
    assert (first.actor, first.actor_name, first.via, first.natural_key) == (
        None,
        "manage.py import_reference",
        Via.COMMAND,
        str(path),
    )
    assert [r.action for r in first.entries.all()] == [Action.CREATE]
    assert (second.changes["created"], second.changes["updated"]) == (0, 1)
    assert [(r.action, r.changes) for r in second.entries.all()] == [
        (Action.CHANGE, {"label": ["scrapers", "botnet"]})
    ]


def test_command_partner_and_feed_imports_and_a_refused_import_leaves_nothing(tmp_path, capsys):
    partners, feed = tmp_path / "p.csv", tmp_path / "feed.txt"
    partners.write_text("name,domains\nAcme,acme.example\n")
    feed.write_text("192.0.2.7\n")
    call_command("import_reference", "partners", str(partners))
    call_command("import_reference", "feed", str(feed), "--source", "scanners")
    partners.write_text("name,domains\nGlobex,not a domain\n")
    with pytest.raises(CommandError):
        call_command("import_reference", "partners", str(partners), "--strict")

    summaries = ReferenceChange.objects.filter(action=Action.IMPORT).order_by("id")
    assert [(s.kind, s.via, s.changes["created"]) for s in summaries] == [
        ("partner", Via.COMMAND, 1),
        ("network", Via.COMMAND, 1),
    ]
    assert summaries[1].changes["source"] == "scanners"
    assert ReferenceChange.objects.filter(batch__isnull=False).count() == 2


def test_code_without_a_user_or_path_is_recorded_as_system():
    created = services.network_create(by=None, cidr="192.0.2.0/24", list="internal")
    row = only_row()
    assert (row.actor, row.actor_name, row.via, row.object_id) == (None, "system", Via.SYSTEM, created.pk)


def test_a_failing_audit_write_undoes_the_change(monkeypatch, manager):
    kept = network()

    def refuse(*args, **kwargs):
        raise RuntimeError("audit table unavailable")

    monkeypatch.setattr("intel.audit.record_many", refuse)
    with pytest.raises(RuntimeError):
        import_networks_csv("cidr,list\n192.0.2.0/24,benign\n", by=manager)
    with pytest.raises(RuntimeError):
        services.references_delete(by=manager, queryset=KnownNetwork.objects.all())
    assert list(KnownNetwork.objects.values_list("pk", flat=True)) == [kept.pk]
    assert not ReferenceChange.objects.exists()  # the import's summary went with it


def test_an_import_that_changes_nothing_still_leaves_its_summary(manager):
    network("203.0.113.0/24", label="", source="")
    report = import_networks_csv("cidr,list\n203.0.113.0/24,malicious\n", by=manager, file="same.csv")
    assert report.unchanged == 1
    row = only_row()
    assert (row.action, row.changes["unchanged"], row.actor) == (Action.IMPORT, 1, manager)
