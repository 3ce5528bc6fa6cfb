"""soc.canonical: one spelling per entity, and every app's normaliser agrees with it.

Property tests (Hypothesis) over generated IPs, networks (IPv4-mapped IPv6 included),
domains in Unicode, punycode and mixed case, emails and accounts: the cases observables,
intel (addresses, validators, enrichment domains, lookup) and containment (targets,
guardrails) all give the canonical answer wherever they accept the value.
"""

import ipaddress

import idna
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from cases.ingest.observables import normalise
from containment import guardrails, targets
from intel import addresses, lookup, validators
from intel.domains import domain_of, normalize_domain
from soc import canonical
from soc.errors import DomainError

ipv4 = st.integers(0, 2**32 - 1).map(lambda n: ipaddress.IPv4Address(n))
ipv6 = st.integers(0, 2**128 - 1).map(lambda n: ipaddress.IPv6Address(n))


@st.composite
def ip_texts(draw):
    """Spellings of one address: plain, exploded, upper-case, IPv4-mapped, bracketed."""
    address = draw(st.one_of(ipv4, ipv6))
    forms = [str(address)]
    if address.version == 4:
        forms += [f"::ffff:{address}", f"::FFFF:{address}"]
    else:
        forms += [address.exploded, address.exploded.upper(), f"[{address}]"]
    return address, draw(st.sampled_from(forms))


@st.composite
def network_texts(draw):
    address = draw(st.one_of(ipv4, ipv6))
    prefix = draw(st.integers(0, address.max_prefixlen))
    text = f"{address}/{prefix}"
    if address.version == 4 and draw(st.booleans()):
        text = f"::ffff:{address}/{prefix + 96}"
    return text


LABELS = st.sampled_from(
    ["partner", "bücher", "faß", "nordwind", "straße", "例え", "münchen", "contoso-logistics", "ex4mple"]
)
TLDS = st.sampled_from(["de", "com", "example", "co.uk", "net"])


@st.composite
def domain_spellings(draw):
    """(Unicode name, one of its spellings: Unicode, punycode, mixed case, trailing dot)."""
    labels = draw(st.lists(LABELS, min_size=1, max_size=3))
    name = ".".join([*labels, draw(TLDS)])
    ascii_form = idna.encode(name, uts46=True).decode()
    spelling = draw(
        st.sampled_from([name, ascii_form, ascii_form.upper(), name[0].upper() + name[1:], name + "."])
    )
    return name, spelling


@settings(max_examples=300, deadline=None)
@given(ip_texts())
def test_every_caller_spells_an_ip_the_same(case):
    address, text = case
    expected = canonical.ip(text)
    assert expected is not None
    mapped = address.ipv4_mapped if address.version == 6 else None
    assert expected == (mapped or address).compressed
    assert normalise("ip", text) == expected
    assert str(addresses.parse_address(text.strip("[]"))) == expected
    assert targets.network_text(targets.parse_network(text.strip("[]"))) == expected
    assert validators.normalize_network(text.strip("[]")) == expected
    key = lookup.parse_key(text.strip("[]"))
    assert canonical.cidr(lookup.key_text(key)) == expected


@settings(max_examples=300, deadline=None)
@given(network_texts())
def test_every_caller_spells_a_network_the_same(text):
    expected = canonical.cidr(text)
    assert expected is not None
    assert normalise("cidr", text) == expected
    assert canonical.network_text(lookup.parse_network(text)) == expected
    assert canonical.cidr(lookup.key_text(lookup.parse_key(text))) == expected
    assert canonical.network_text(guardrails._parse_reference(text)) == expected
    strict = canonical.network(text, strict=True)
    if strict is None:  # host bits set: a block request is refused rather than re-based
        with pytest.raises(DomainError):
            targets.normalise("block_ip", text)
    else:  # the block target and the reference validator refuse host bits; otherwise agree
        assert targets.normalise("block_ip", text) == expected
        assert validators.normalize_network(text) == expected


def test_ipv4_mapped_networks_are_their_ipv4_network_everywhere():
    text = "::ffff:203.0.113.0/120"
    assert canonical.cidr(text) == "203.0.113.0/24"
    assert normalise("cidr", text) == targets.normalise("block_ip", text) == "203.0.113.0/24"
    assert validators.normalize_network(text) == "203.0.113.0/24"
    assert lookup.key_text(lookup.parse_key(text)) == "203.0.113.0/24"
    assert addresses.in_internal_ranges("::ffff:10.0.0.0/104")


@settings(max_examples=300, deadline=None)
@given(domain_spellings())
def test_punycode_and_unicode_spellings_are_one_domain_everywhere(case):
    name, spelling = case
    expected = canonical.domain(spelling)
    assert expected == name.lower()
    assert normalise("domain", spelling) == expected
    assert normalise("hostname", spelling) == expected
    assert normalize_domain(spelling) == expected
    assert validators.normalize_domain_strict(spelling) == expected
    assert domain_of("url", f"https://{spelling}/login") == expected
    assert normalise("email", f"Billing@{spelling}") == f"billing@{expected}"
    assert domain_of("email", f"billing@{spelling}") == expected
    assert canonical.domain(canonical.domain_ascii(spelling)) == expected


def test_idna_2008_keeps_sharp_s_apart_from_ss():
    assert canonical.domain("xn--fa-hia.de") == canonical.domain("FAß.de") == "faß.de"
    assert canonical.domain("fass.de") == "fass.de"
    assert canonical.domain_ascii("faß.de") == "xn--fa-hia.de"


@pytest.mark.parametrize(
    "bad", ["", " ", "a b.example", "-bad.example", "xn--zz-invalid.de", "x" * 300, None, 5]
)
def test_invalid_names_are_none(bad):
    assert canonical.domain(bad) is None


@settings(max_examples=200, deadline=None)
@given(
    st.from_regex(r"[A-Za-z][A-Za-z0-9._-]{0,20}", fullmatch=True),
    st.sampled_from(["", "CORP\\", "corp\\", "  "]),
)
def test_accounts_are_one_name_for_observables_and_containment(name, prefix):
    text = prefix + name
    expected = canonical.account(text)
    assert expected == name.lower()
    assert normalise("user", text) == expected
    try:
        assert targets.normalise_account(text) == expected
    except DomainError:
        assume(False)  # containment refuses names a directory query could misread
