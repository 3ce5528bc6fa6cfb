"""The in-memory IP index: matches, specificity, expiry, internal space, overlaps."""

from datetime import timedelta

import pytest
from django.utils import timezone

from intel import lookup
from intel.models import BusinessPartner, KnownNetwork

pytestmark = pytest.mark.django_db


def add(cidr, list_name, label="", source="test", **extra):
    entry = KnownNetwork.objects.create(cidr=cidr, list=list_name, label=label, source=source, **extra)
    lookup.invalidate()
    return entry


def test_match_returns_most_specific_entry_first():
    add("203.0.113.0/24", "benign", "docs range")
    add("203.0.113.64/26", "malicious", "bad block")
    add("203.0.113.77", "malicious", "scraper")
    add("198.51.100.0/24", "benign")

    matches = lookup.match_ip("203.0.113.77")

    assert [m.cidr for m in matches] == ["203.0.113.77/32", "203.0.113.64/26", "203.0.113.0/24"]
    assert matches[0].label == "scraper"
    assert lookup.match_ip("203.0.113.5")[0].cidr == "203.0.113.0/24"
    assert lookup.match_ip("192.0.2.1") == []


def test_ipv6_and_ipv4_mapped_addresses_match():
    add("2001:db8:abcd::/48", "malicious")
    add("203.0.113.0/24", "benign")

    assert lookup.match_ip("2001:db8:abcd:1::5")[0].cidr == "2001:db8:abcd::/48"
    assert lookup.match_ip("::ffff:203.0.113.9")[0].cidr == "203.0.113.0/24"
    assert lookup.match_ip("2001:db8:ffff::1") == []


def test_expired_entries_do_not_match():
    add("203.0.113.0/24", "malicious", expires_at=timezone.now() - timedelta(minutes=1))
    add("198.51.100.0/24", "malicious", expires_at=timezone.now() + timedelta(days=1))

    assert lookup.match_ip("203.0.113.1") == []
    assert len(lookup.match_ip("198.51.100.1")) == 1


def test_garbage_is_neither_matched_nor_internal():
    add("0.0.0.0/0", "benign")
    for value in ["", "not-an-ip", "999.1.1.1", "10.0.0.0/99", None]:
        assert lookup.match_ip(value) == []
        assert lookup.is_internal(value) is False


def test_internal_means_builtin_ranges_or_the_internal_list():
    assert lookup.is_internal("10.20.30.40")
    assert lookup.is_internal("100.64.1.1")
    assert lookup.is_internal("fd00::1")
    assert not lookup.is_internal("203.0.113.77")  # documentation ranges are external
    assert not lookup.is_internal("8.8.8.8")

    add("198.51.100.0/24", "internal", "DMZ")
    assert lookup.is_internal("198.51.100.10")
    assert lookup.is_internal("198.51.100.0/25")
    assert not lookup.is_internal("198.51.0.0/16")


def test_index_rebuilds_when_another_process_changed_the_data(settings):
    settings.VIGIL_INTEL_INDEX_TTL_SECONDS = 0
    assert lookup.match_ip("203.0.113.77") == []
    # Written without invalidate(): as another process would.
    KnownNetwork.objects.create(cidr="203.0.113.77", list="malicious")
    assert lookup.match_ip("203.0.113.77")[0].list == "malicious"


def test_overlapping_entries_finds_containing_and_contained_networks():
    add("203.0.113.0/24", "benign", "docs")
    add("203.0.113.128/25", "internal")
    add("198.51.100.0/24", "malicious")
    partner = BusinessPartner.objects.create(name="Acme", networks=["203.0.113.200/29"])
    lookup.invalidate()

    wide = {(m.kind, m.cidr) for m in lookup.overlapping_entries("203.0.113.0/23")}
    assert wide == {
        ("known_network", "203.0.113.0/24"),
        ("known_network", "203.0.113.128/25"),
        ("partner", "203.0.113.200/29"),
    }
    single = lookup.overlapping_entries("203.0.113.201")
    assert [m.cidr for m in single] == ["203.0.113.200/29", "203.0.113.128/25", "203.0.113.0/24"]
    assert single[0].label == partner.name
    assert lookup.overlapping_entries("192.0.2.0/24") == []
    assert lookup.match_partner_ip("203.0.113.203")[0].id == partner.pk
