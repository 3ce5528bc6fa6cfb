"""Observable normalisation, internal flagging and IOC extraction from text."""

import json

import pytest
from hypothesis import given
from hypothesis import strategies as st

from cases.ingest.observables import is_internal, normalise
from cases.ingest.text_indicators import observables_in_text
from cases.models import Alert
from cases.services.extraction import alert_extract_observables
from tests.cases.vendor.support import document, observables_of


@pytest.mark.parametrize(
    ("type_", "value", "expected"),
    [
        ("ip", "2001:0DB8:0000:0000:0000:0000:0000:0001", "2001:db8::1"),
        ("ip", " 203.0.113.77 ", "203.0.113.77"),
        ("ip", "::ffff:10.1.2.3", "10.1.2.3"),
        ("ip", "203.0.113.777", None),
        ("cidr", "10.1.2.3/8", "10.0.0.0/8"),
        ("cidr", "2001:DB8::/32", "2001:db8::/32"),
        ("domain", "Partner.Example.NET.", "partner.example.net"),
        ("domain", "partner[.]example[.]net", "partner.example.net"),
        ("domain", "xn--bcher-kva.example", "bücher.example"),
        ("domain", "Bücher.Example", "bücher.example"),
        ("domain", "bad domain.example", None),
        ("hostname", "EXTRANET-WEB-01", "extranet-web-01"),
        ("email", "Bob@Partner.Example.NET", "bob@partner.example.net"),
        ("email", "bob[at]partner[.]example", "bob@partner.example"),
        ("email", "not-an-email", None),
        ("url", "hxxps://Evil[.]Example:8443/Path?Q=1", "https://evil.example:8443/Path?Q=1"),
        ("url", "/relative/path", None),
        ("hash", "44D88612FEA8A8F36DE82E1278ABB02F", "44d88612fea8a8f36de82e1278abb02f"),
        ("hash", "abc", None),
        ("user", "  M.Keller ", "m.keller"),
        ("user", "CORP\\M.Keller", "m.keller"),
        ("domain", "xn--fa-hia.de", "faß.de"),
        ("domain", "FAß.de", "faß.de"),
        ("cidr", "::ffff:203.0.113.0/120", "203.0.113.0/24"),
        ("user", "   ", None),
        ("planet", "mars", None),
    ],
)
def test_normalise(type_, value, expected):
    assert normalise(type_, value) == expected


@given(
    type_=st.sampled_from(["ip", "cidr", "domain", "hostname", "email", "url", "hash", "user"]),
    value=st.text(),
)
def test_normalise_is_total_and_idempotent(type_, value):
    once = normalise(type_, value)
    if once is not None:
        assert normalise(type_, once) == once


@pytest.mark.parametrize(
    ("value", "internal"),
    [
        ("10.20.4.15", True),
        ("172.16.0.1", True),
        ("192.168.1.1", True),
        ("100.64.0.1", True),
        ("127.0.0.1", True),
        ("169.254.1.1", True),
        ("fd00::1", True),
        ("fe80::1", True),
        ("203.0.113.77", False),  # documentation ranges are external (DESIGN 6)
        ("198.51.100.1", False),
        ("192.0.2.1", False),
        ("2001:db8::1", False),
        ("8.8.8.8", False),
    ],
)
@pytest.mark.django_db
def test_internal_address_space(value, internal):
    assert is_internal("ip", value) is internal


@pytest.mark.django_db
def test_internal_list_entries_count_as_internal():
    from intel.lookup import invalidate
    from intel.models import KnownNetwork

    assert is_internal("ip", "198.51.100.20") is False
    KnownNetwork.objects.create(cidr="198.51.100.0/24", list=KnownNetwork.List.INTERNAL, label="DMZ")
    invalidate()
    assert is_internal("ip", "198.51.100.20") is True
    assert is_internal("domain", "198.51.100.20") is False


def test_extraction_refangs_and_normalises():
    found = observables_in_text(
        "Burst from 203.0.113.77 to hxxps://Evil[.]com/login",
        "Sender Bob@Partner.Example.NET, hash 44D88612FEA8A8F36DE82E1278ABB02F, v6 2001:DB8::9",
    )
    values = {(t, v) for t, v, role in found}
    assert {
        ("ip", "203.0.113.77"),
        ("url", "https://evil.com/login"),
        ("email", "bob@partner.example.net"),
        ("domain", "partner.example.net"),
        ("hash", "44d88612fea8a8f36de82e1278abb02f"),
        ("ip", "2001:db8::9"),
    } <= values
    assert {role for _, _, role in found} == {"extracted"}


def test_extraction_ignores_things_that_only_look_like_indicators():
    found = observables_in_text("user agent python-requests/2.31.0 from account m.keller on extranet-web-01")
    assert found == []


def test_extraction_is_bounded():
    text = " ".join(f"198.51.100.{i % 250} 192.0.2.{i % 250}" for i in range(500))
    assert len(observables_in_text(text)) <= 50


@pytest.mark.parametrize(
    ("text", "hashes"),
    [
        ("MD5: 44d88612fea8a8f36de82e1278abb02f", {"44d88612fea8a8f36de82e1278abb02f"}),
        ("file.hash.md5=44d88612fea8a8f36de82e1278abb02f", {"44d88612fea8a8f36de82e1278abb02f"}),
        ("md5sum of the dropper 44d88612fea8a8f36de82e1278abb02f", {"44d88612fea8a8f36de82e1278abb02f"}),
        ("Alert 5f3a9c0e1b2d4e6f8a7b9c0d1e2f3a4b raised on agent c8d1292a8a904216aa25ab728f4b45fd", set()),
        ("{5F3A9C0E1B2D4E6F8A7B9C0D1E2F3A4B} GUID without dashes", set()),
        # The hash word is about the first id; the second, after "alert id", is not a hash.
        (
            "hash 44d88612fea8a8f36de82e1278abb02f alert id 5f3a9c0e1b2d4e6f8a7b9c0d1e2f3a4b",
            {"44d88612fea8a8f36de82e1278abb02f"},
        ),
        ("hash:\n5f3a9c0e1b2d4e6f8a7b9c0d1e2f3a4b", set()),  # context is on the token's line
        (  # other lengths are still read as hashes
            "dropped 275a021bbfb6489e54d471899f7db9d1663fc695ec2fe2a2c4538aabf651fd0f",
            {"275a021bbfb6489e54d471899f7db9d1663fc695ec2fe2a2c4538aabf651fd0f"},
        ),
    ],
)
def test_32_hex_digits_are_a_hash_only_when_the_text_says_so(text, hashes):
    assert {v for t, v, _ in observables_in_text(text) if t == "hash"} == hashes


@pytest.mark.parametrize(
    ("text", "domains"),
    [
        ("Attachment report-001.zip was opened by the user", set()),
        ("saved as -001.zip in the temp folder", set()),
        ("GET /cgi-bin/jarrewrite.sh then chmod 777 baddie.sh; ./baddie.sh", set()),
        ("preloaded through ld.so and libcrypto.so.1.1", set()),
        ("beacon to mail.google.zip and update.microsoft.mov", {"mail.google.zip", "update.microsoft.mov"}),
        ("lure https://github.zip/x and sender bob@invoice.zip", {"github.zip", "invoice.zip"}),
        ("flag --proxy=-evil.example.com and x.evil-.com", set()),
        ("callback to evil.com and video.mov", {"evil.com"}),
        # Schema fields in rule text, not hosts; a host named like one still counts when used as one.
        ("Rule matched on host.name, source.user.name, event.id and container.info", set()),
        ("beacon to https://user.name/x and to user.name.evil.com", {"user.name", "user.name.evil.com"}),
    ],
)
def test_file_names_are_not_domains(text, domains):
    assert {v for t, v, _ in observables_in_text(text) if t == "domain"} == domains


def test_addresses_that_name_no_host_are_not_indicators():
    text = "listening on 0.0.0.0 and 127.0.0.1, redacted 000.111.222.10, mDNS 224.0.0.251, peer 198.51.100.7"
    assert {v for t, v, _ in observables_in_text(text) if t == "ip"} == {"198.51.100.7"}


def test_the_alerts_own_ids_are_not_indicators():
    text = "TheHive alert 5f3a9c0e1b2d4e6f8a7b9c0d1e2f3a4b: md5 5f3a9c0e1b2d4e6f8a7b9c0d1e2f3a4b from 198.51.100.7"
    ref = "external:splunk:5F3A9C0E1B2D4E6F8A7B9C0D1E2F3A4B"
    assert {v for _, v, _ in observables_in_text(text, ignore=(ref,))} == {"198.51.100.7"}
    assert "5f3a9c0e1b2d4e6f8a7b9c0d1e2f3a4b" in {v for _, v, _ in observables_in_text(text)}


@pytest.mark.django_db
def test_wazuh_shellshock_script_names_are_not_extracted_as_domains(client, ingest_source):
    # wazuh/wazuh-indexer's sample: "GET /cgi-bin/jarrewrite.sh", "wget http://0.0.0.0/baddie.sh"
    # (.sh is Saint Helena's TLD); they are file names.
    response = client.post(
        "/api/v1/alerts/wazuh/",
        json.dumps(document("wazuh_indexer_asl_shellshock_hit.json")),
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Token {ingest_source[1]}",
    )
    assert response.status_code == 201, response.json()
    alert = Alert.objects.get(pk=response.json()["id"])
    alert_extract_observables(alert=alert)
    extracted = {(t, v) for t, v, role in observables_of(alert) if role == "extracted"}
    assert not {v for t, v in extracted if t == "domain"}
    assert ("url", "http://0.0.0.0/baddie.sh;") in extracted  # the URL itself is kept
