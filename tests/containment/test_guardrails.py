"""Guardrails: what Vigil refuses to block or disable, and the rule each refusal names."""

from datetime import timedelta

import pytest
from django.utils import timezone

from containment import guardrails
from containment.guardrails import Rule
from containment.targets import normalise
from intel.models import BusinessPartner, KnownNetwork


def rules(kind, target):
    return [r.rule for r in guardrails.check(kind, normalise(kind, target))]


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("target", "rule"),
    [
        ("0.0.0.0/0", Rule.ANY_NETWORK),
        ("::/0", Rule.ANY_NETWORK),
        ("127.0.0.1", Rule.SPECIAL_RANGE),
        ("169.254.10.1", Rule.SPECIAL_RANGE),
        ("224.0.0.251", Rule.SPECIAL_RANGE),
        ("240.1.2.3", Rule.SPECIAL_RANGE),
        ("255.255.255.255", Rule.SPECIAL_RANGE),
        ("0.0.0.0", Rule.SPECIAL_RANGE),  # noqa: S104 (a target, not a bind address)
        ("::1", Rule.SPECIAL_RANGE),
        ("fe80::1", Rule.SPECIAL_RANGE),
        ("ff02::1", Rule.SPECIAL_RANGE),
        ("10.20.30.40", Rule.INTERNAL_RANGE),
        ("172.16.5.4", Rule.INTERNAL_RANGE),
        ("192.168.1.1", Rule.INTERNAL_RANGE),
        ("100.64.1.1", Rule.INTERNAL_RANGE),
        ("fd12:3456::1", Rule.INTERNAL_RANGE),
        ("8.0.0.0/7", Rule.PREFIX_TOO_WIDE),
        ("2001::/16", Rule.PREFIX_TOO_WIDE),
    ],
)
def test_refusals_name_their_rule(target, rule):
    assert rules("block_ip", target)[0] == rule


@pytest.mark.django_db
@pytest.mark.parametrize("target", ["203.0.113.77", "198.51.100.0/24", "192.0.2.1", "2001:db8::7", "8.8.8.8"])
def test_documentation_and_public_addresses_are_external_and_allowed(target):
    assert guardrails.check("block_ip", normalise("block_ip", target)) == []


@pytest.mark.django_db
def test_a_block_overlapping_internal_space_is_refused_even_when_it_starts_outside():
    # 9.0.0.0/7 covers 8.0.0.0-9.255.255.255 (fine), but 10.0.0.0/7 covers 10/8 and 11/8.
    assert Rule.INTERNAL_RANGE in rules("block_ip", "10.0.0.0/7")
    assert Rule.INTERNAL_RANGE not in rules("block_ip", "9.0.0.0/16")


@pytest.mark.django_db
def test_known_internal_and_benign_lists_and_partner_networks_are_refused():
    KnownNetwork.objects.create(cidr="203.0.113.0/28", list="internal", label="DMZ")
    KnownNetwork.objects.create(cidr="198.51.100.10", list="benign", label="Scanner we pay for")
    KnownNetwork.objects.create(cidr="192.0.2.0/24", list="malicious", label="bad")
    BusinessPartner.objects.create(name="Acme Logistics", networks=["198.18.0.0/24"])

    assert rules("block_ip", "203.0.113.5") == [Rule.INTERNAL_LIST]
    # A wider block containing a benign address is refused too (overlap, not containment).
    assert rules("block_ip", "198.51.100.0/24") == [Rule.BENIGN_LIST]
    assert rules("block_ip", "198.18.0.77") == [Rule.PARTNER_NETWORK]
    assert rules("block_ip", "192.0.2.9") == []  # the malicious list is what we want to block
    message = guardrails.check("block_ip", "198.18.0.77")[0].message
    assert "Acme Logistics" in message


@pytest.mark.django_db
def test_expired_reference_entries_no_longer_protect():
    KnownNetwork.objects.create(
        cidr="198.51.100.10", list="benign", expires_at=timezone.now() - timedelta(minutes=1)
    )
    assert rules("block_ip", "198.51.100.10") == []


@pytest.mark.django_db
def test_prefix_limit_follows_the_setting(settings):
    settings.CONTAINMENT_MAX_PREFIX_V4 = 24
    assert rules("block_ip", "203.0.112.0/23") == [Rule.PREFIX_TOO_WIDE]
    assert rules("block_ip", "203.0.113.0/24") == []


@pytest.mark.django_db
@pytest.mark.parametrize(
    "account", ["Administrator", "krbtgt", "svc-backup", "breakglass01", "root@example.com"]
)
def test_protected_accounts_are_refused(account):
    assert rules("disable_account", account) == [Rule.PROTECTED_ACCOUNT]


@pytest.mark.django_db
def test_ordinary_accounts_and_manual_steps_pass():
    assert rules("disable_account", "m.keller") == []
    assert rules("manual", "Start the incident response protocol") == []


def test_hard_rules_cannot_be_overridden_but_others_can():
    assert not guardrails.Refusal(Rule.ANY_NETWORK, "x").overridable
    assert not guardrails.Refusal(Rule.SPECIAL_RANGE, "x").overridable
    assert guardrails.Refusal(Rule.BENIGN_LIST, "x").overridable
    refusals = [guardrails.Refusal(Rule.BENIGN_LIST, "x"), guardrails.Refusal(Rule.SPECIAL_RANGE, "y")]
    assert [r.rule for r in guardrails.unresolved(refusals, ["benign_list", "special_range"])] == [
        "special_range"
    ]
