"""The admin pages for reference data: saves through the services, CSV and feed imports,
CSV export; only SOC managers (staff with intel permissions) get in."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from intel import lookup
from intel.models import BusinessPartner, KnownNetwork

pytestmark = pytest.mark.django_db

CHANGELIST = "/admin/intel/knownnetwork/"


def test_manager_adds_a_network_and_bad_cidrs_are_refused_on_the_form(client, manager):
    client.force_login(manager)
    bad = client.post(
        f"{CHANGELIST}add/", {"cidr": "203.0.113.5/24", "list": "malicious", "label": "", "source": ""}
    )
    assert bad.status_code == 200
    assert "did you mean 203.0.113.0/24" in bad.content.decode()

    ok = client.post(
        f"{CHANGELIST}add/", {"cidr": "203.0.113.0/24", "list": "malicious", "label": "x", "source": "soc"}
    )
    assert ok.status_code == 302
    assert lookup.match_ip("203.0.113.9")[0].source == "soc"


def test_manager_edits_partner_lists_as_text(client, manager):
    client.force_login(manager)
    response = client.post(
        "/admin/intel/businesspartner/add/",
        {
            "name": "Northwind",
            "domains": "northwind.example\nnorthwind-mail.example",
            "networks": "198.51.100.0/24",
            "contract_start": "2026-01-01",
            "contract_end": "2027-01-01",
            "criticality": "high",
            "contacts": "",
            "notes": "",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    partner = BusinessPartner.objects.get()
    assert partner.domains == ["northwind.example", "northwind-mail.example"]
    assert lookup.match_partner_ip("198.51.100.1")[0].label == "Northwind"

    page = client.get(f"/admin/intel/businesspartner/{partner.pk}/change/")
    assert "northwind-mail.example" in page.content.decode()


def test_csv_upload_reports_rows_and_feed_upload_replaces_a_source(client, manager):
    client.force_login(manager)
    upload = SimpleUploadedFile("n.csv", b"cidr,list\n203.0.113.0/24,malicious\nbogus,benign\n", "text/csv")
    page = client.post(f"{CHANGELIST}import-csv/", {"file": upload})
    body = page.content.decode()
    assert page.status_code == 200
    assert "<td>3</td><td>cidr</td>" in body
    assert KnownNetwork.objects.count() == 1

    feed = SimpleUploadedFile("feed.txt", b"192.0.2.7\n192.0.2.8\n", "text/plain")
    done = client.post(
        f"{CHANGELIST}import-feed/", {"file": feed, "source": "abuse", "label": "", "expires_at": ""}
    )
    assert done.status_code == 302
    assert set(KnownNetwork.objects.filter(source="abuse").values_list("cidr", flat=True)) == {
        "192.0.2.7",
        "192.0.2.8",
    }


def test_export_action_and_export_all(client, manager):
    KnownNetwork.objects.create(cidr="203.0.113.0/24", list="malicious", label="scrapers")
    client.force_login(manager)
    everything = client.get(f"{CHANGELIST}export-csv/")
    assert everything["Content-Type"].startswith("text/csv")
    assert everything.content.decode().splitlines() == [
        "cidr,list,label,source,expires_at,shared",
        "203.0.113.0/24,malicious,scrapers,,,no",
    ]

    selected = client.post(
        CHANGELIST, {"action": "export_csv", "_selected_action": [KnownNetwork.objects.get().pk]}
    )
    assert "203.0.113.0/24" in selected.content.decode()


def test_deleting_in_the_admin_goes_through_the_service(client, manager):
    network = KnownNetwork.objects.create(cidr="203.0.113.0/24", list="malicious")
    assert lookup.match_ip("203.0.113.1")
    client.force_login(manager)
    response = client.post(f"{CHANGELIST}{network.pk}/delete/", {"post": "yes"})
    assert response.status_code == 302
    assert lookup.match_ip("203.0.113.1") == []


def test_non_managers_are_kept_out(client, l1, django_user_model):
    client.force_login(l1)
    assert client.get(CHANGELIST).status_code == 302  # not staff: the admin login page
    staff = django_user_model.objects.create_user("staff_no_perm", password="x", is_staff=True)
    client.force_login(staff)
    assert client.get(CHANGELIST).status_code == 403
    assert client.get(f"{CHANGELIST}import-csv/").status_code == 403
    assert client.get(f"{CHANGELIST}export-csv/").status_code == 403
