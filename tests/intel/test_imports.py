"""CSV imports (networks, partners), threat feeds and the import_reference command."""

from datetime import date

import pytest
from django.core.management import CommandError, call_command

from intel import lookup
from intel.exports import networks_csv, partners_csv
from intel.feeds import import_feed
from intel.imports import import_networks_csv, import_partners_csv
from intel.models import BusinessPartner, KnownNetwork
from soc.errors import NotAllowed

pytestmark = pytest.mark.django_db

NETWORKS = """cidr,list,label,source,expires_at
203.0.113.77,malicious,scraper,abuse-desk,
198.51.100.0/24,benign,Partner VPN,netops,2027-01-01T00:00:00Z
2001:db8::/32,internal,lab,netops,
"""


def test_network_rows_are_created_then_updated_idempotently(manager):
    report = import_networks_csv(NETWORKS, by=manager)

    assert (report.created, report.updated, report.errors) == (3, 0, [])
    assert KnownNetwork.objects.get(cidr="198.51.100.0/24").expires_at.year == 2027
    assert lookup.match_ip("203.0.113.77")[0].label == "scraper"

    again = import_networks_csv(NETWORKS.replace("scraper", "scraper bot"), by=manager)
    assert (again.created, again.updated, again.unchanged) == (0, 1, 2)
    assert KnownNetwork.objects.count() == 3


def test_bad_rows_are_reported_per_row_and_column_and_skipped():
    text = (
        "cidr,list,label,source,expires_at\n"
        "203.0.113.0/24,malicious,,feed,\n"
        "203.0.113.300,malicious,,feed,\n"  # row 3: bad address
        "198.51.100.1/24,benign,,feed,\n"  # row 4: host bits
        "192.0.2.0/24,suspicious,,feed,\n"  # row 5: unknown list
        "192.0.2.0/25,benign,,feed,next tuesday\n"  # row 6: bad date
        "203.0.113.0/24,malicious,,feed,\n"  # row 7: duplicate of row 2
    )
    report = import_networks_csv(text, by=None)

    assert report.created == 1
    assert report.skipped == 5
    problems = {(e.row, e.column) for e in report.errors}
    assert problems == {(3, "cidr"), (4, "cidr"), (5, "list"), (6, "expires_at"), (7, "cidr")}
    host_bits = next(e for e in report.errors if e.row == 4)
    assert "198.51.100.0/24" in host_bits.problem
    assert list(KnownNetwork.objects.values_list("cidr", flat=True)) == ["203.0.113.0/24"]


def test_strict_imports_nothing_when_any_row_is_bad():
    text = "cidr,list\n203.0.113.0/24,malicious\nnot-a-network,benign\n"
    report = import_networks_csv(text, by=None, strict=True)

    assert not report.imported
    assert [(e.row, e.column) for e in report.errors] == [(3, "cidr")]
    assert not KnownNetwork.objects.exists()


def test_a_broken_header_imports_nothing():
    report = import_networks_csv("address,kind\n203.0.113.1,malicious\n", by=None)
    assert not report.imported
    assert report.errors[0].row == 1
    assert not KnownNetwork.objects.exists()


PARTNERS = """name,domains,networks,contract_start,contract_end,criticality,contacts
Northwind Traders,northwind.example;mail.northwind.example,198.51.100.0/24;2001:db8:100::/48,2026-01-01,2027-12-31,high,ops@northwind.example
Contoso Ltd,contoso.example,,2024-01-01,2025-06-30,medium,
"""


def test_partner_rows_with_lists_and_dates(manager):
    report = import_partners_csv(PARTNERS, by=manager)

    assert (report.created, report.errors) == (2, [])
    northwind = BusinessPartner.objects.get(name="Northwind Traders")
    assert northwind.domains == ["northwind.example", "mail.northwind.example"]
    assert northwind.networks == ["198.51.100.0/24", "2001:db8:100::/48"]
    assert northwind.contract_end == date(2027, 12, 31)
    assert northwind.criticality == "high"
    assert lookup.match_partner_ip("198.51.100.20")[0].label == "Northwind Traders"


def test_malformed_partner_domain_or_network_skips_only_that_row():
    text = (
        "name,domains,networks,contract_start,contract_end,criticality,contacts\n"
        "Good,good.example,,,,low,\n"
        "Bad domain,bad_domain!.example,,,,low,\n"
        "Bad network,bad.example,10.0.0.0/33,,,low,\n"
        "Backwards,back.example,,2027-01-01,2026-01-01,low,\n"
    )
    report = import_partners_csv(text, by=None)

    assert report.created == 1
    assert {(e.row, e.column) for e in report.errors} == {
        (3, "domains"),
        (4, "networks"),
        (5, "contract_end"),
    }
    assert list(BusinessPartner.objects.values_list("name", flat=True)) == ["Good"]


def test_csv_export_round_trips_including_formula_like_cells():
    import_networks_csv("cidr,list,label,source\n203.0.113.0/24,malicious,=HYPERLINK(1),feed\n", by=None)
    import_partners_csv(PARTNERS, by=None)
    networks, partners = networks_csv(), partners_csv()
    assert "'=HYPERLINK(1)" in networks  # never a live formula in a spreadsheet
    before = list(BusinessPartner.objects.values_list("name", "domains", "networks", "contract_end"))
    KnownNetwork.objects.all().delete()
    BusinessPartner.objects.all().delete()

    assert import_networks_csv(networks, by=None).created == 1
    assert KnownNetwork.objects.get().label == "=HYPERLINK(1)"
    assert import_partners_csv(partners, by=None).created == 2
    after = list(BusinessPartner.objects.values_list("name", "domains", "networks", "contract_end"))
    assert after == before


def test_feed_replaces_the_sources_previous_entries_atomically():
    KnownNetwork.objects.create(cidr="192.0.2.1", list="malicious", source="other-feed")
    first = import_feed("203.0.113.1\n203.0.113.2 scanner\n# comment\n\n", source="abuse-ch", by=None)
    assert (first.created, first.removed) == (2, 0)

    second = import_feed(
        "203.0.113.2\n198.51.100.0/24 ; botnet\n192.0.2.10-192.0.2.13\nnonsense\n", source="abuse-ch", by=None
    )

    assert (second.created, second.unchanged, second.removed) == (3, 1, 1)
    assert [(e.row, e.column) for e in second.errors] == [(4, "value")]
    feed = set(KnownNetwork.objects.filter(source="abuse-ch").values_list("cidr", flat=True))
    assert feed == {"203.0.113.2", "198.51.100.0/24", "192.0.2.10/31", "192.0.2.12/31"}
    assert KnownNetwork.objects.filter(source="other-feed").count() == 1
    assert lookup.match_ip("198.51.100.9")[0].source == "abuse-ch"


def test_a_feed_of_only_garbage_changes_nothing():
    import_feed("203.0.113.1\n", source="abuse-ch", by=None)
    report = import_feed("<html>not a feed</html>\n", source="abuse-ch", by=None)
    assert not report.imported
    assert KnownNetwork.objects.filter(source="abuse-ch").count() == 1


def test_importing_requires_the_manage_reference_permission(l1):
    with pytest.raises(NotAllowed):
        import_networks_csv(NETWORKS, by=l1)
    with pytest.raises(NotAllowed):
        import_feed("203.0.113.1\n", source="x", by=l1)


def test_command_prints_row_errors_and_strict_exits_nonzero(tmp_path, capsys):
    path = tmp_path / "networks.csv"
    path.write_text("cidr,list\n203.0.113.0/24,malicious\n203.0.113.999,benign\n")

    call_command("import_reference", "networks", str(path))
    out = capsys.readouterr()
    assert "row 3, column cidr" in out.err
    assert "1 created" in out.out

    KnownNetwork.objects.all().delete()
    with pytest.raises(CommandError, match="nothing imported"):
        call_command("import_reference", "networks", str(path), "--strict")
    assert not KnownNetwork.objects.exists()


def test_command_imports_partners_and_feeds(tmp_path, capsys):
    partners = tmp_path / "partners.csv"
    partners.write_text(PARTNERS)
    feed = tmp_path / "feed.txt"
    feed.write_text("203.0.113.77\n")

    call_command("import_reference", "partners", str(partners))
    call_command("import_reference", "feed", str(feed), "--source", "scrapers")

    assert BusinessPartner.objects.count() == 2
    assert KnownNetwork.objects.get(source="scrapers").list == "malicious"
    with pytest.raises(CommandError, match="--source"):
        call_command("import_reference", "feed", str(feed))
