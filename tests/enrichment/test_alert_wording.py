"""The facts the assistant reads from vendor wording, one concept at a time: each concept
is tried with phrasings real SIEM, EDR, DLP, CASB, proxy and mail-gateway alerts use, and
with the look-alike sentences that must not assert it.
"""

from datetime import UTC, datetime

import pytest

from enrichment.assistant import alert_reading as r
from enrichment.assistant.facts import AlertView, Obs

AT = datetime(2026, 11, 20, 10, 0, tzinfo=UTC)


def read(description="", *, title="Alert", raw=None, observables=()):
    view = AlertView(
        id=1,
        observed_at=AT,
        title=title,
        description=description,
        tags=[],
        raw=raw or {},
        technique_id="T1591.002",
        observables=[Obs(t, v, role, n) for n, (t, v, role) in enumerate(observables)],
    )
    return r.read(view)


def kinds(description="", **kwargs) -> set[str]:
    return {f.kind for f in read(description, **kwargs)}


def values(kind, description="", **kwargs) -> list:
    return [f.value for f in read(description, **kwargs) if f.kind == kind]


@pytest.mark.parametrize(
    "sentence",
    [
        "Partner_Price_List_2027.xlsx was e-mailed to kbraun1987@gmx.de.",
        "The file was emailed to an external recipient.",
        "Report mailed to the distribution list.",
        "r.hoffmann forwarded the attachment supplier_master.csv.",
        "l.schmidt uploaded 2.4 GB to mega.nz.",
        "Folder 'Contracts' synced to a personal OneDrive.",
        "Document shared externally with anyone-with-the-link.",
        "3.4 GB copied to USB mass storage on FIN-LT-042.",
        "Data exfiltrated over DNS.",
        "Possible exfil to a cloud bucket.",
        "The API returned 312 records to the client.",
        "Files written to removable media.",
    ],
)
def test_transfer_verbs_and_nouns_are_read_by_stem(sentence):
    assert r.TRANSFER in kinds(sentence)


@pytest.mark.parametrize(
    ("sentence", "count"),
    [
        ("j.weber exported 18,450 contact records from the CRM.", 18450),
        ("Export of 4,212 supplier rows.", 4212),
        ("Report contains 2.5k entries.", 2500),
        ("1.3M customer records were downloaded.", 1_300_000),
        ("Mailbox export: 5,000 attachments.", 5000),
        ("records: 8,912", 8912),
        ("row count = 2104", 2104),
        ("Sync of 640 supplier contacts.", 640),
    ],
)
def test_record_counts_are_read_before_or_after_their_noun(sentence, count):
    assert count in values(r.RECORDS, sentence)


@pytest.mark.parametrize(
    ("sentence", "size"),
    [
        ("uploaded 2.4 GB to mega.nz", 2_400_000_000),
        ("a 734 MB archive", 734_000_000),
        ("3,2 GB (decimal comma)", 3_200_000_000),
        ("1,234,567 bytes sent", 1_234_567),
        ("2 gigabytes copied", 2_000_000_000),
        ("transfer of 500 MBytes", 500_000_000),
        ("512 MiB", 512 * 2**20),
    ],
)
def test_sizes_are_read_in_units_and_words(sentence, size):
    assert size in values(r.BYTES, sentence)


def test_a_failure_count_written_as_times_or_count_is_read():
    assert 23 in values(r.FAILURES, "Sign-in for k.lang failed 23 times from 198.51.100.231.")
    assert 37 in values(r.FAILURES, "failed_login_count: 37")


@pytest.mark.parametrize(
    ("field", "value", "kind", "expected"),
    [
        ("match_count", "8912", r.RECORDS, 8912),
        ("recordCount", 4212, r.RECORDS, 4212),
        ("file_size", 734003200, r.BYTES, 734003200),
        ("bytes_sent", "120000000", r.BYTES, 120000000),
        ("FileSize", "2.4 GB", r.BYTES, 2_400_000_000),
    ],
)
def test_vendor_count_and_size_fields_are_read(field, value, kind, expected):
    facts = [f for f in read(raw={field: value}) if f.kind == kind]
    assert facts and facts[0].value == expected and facts[0].cite == field


def test_dlp_policy_file_app_and_action_fields_are_read_as_words():
    raw = {
        "policy": "Confidential - Supplier Contracts",
        "file_name": "supplier_contracts_2027.zip",
        "app": "WeTransfer",
        "activity": "Upload",
    }
    facts = read(raw=raw)
    cited = {(f.kind, f.cite) for f in facts}
    assert (r.CONFIDENTIAL, "policy") in cited
    assert (r.PERSONAL_DESTINATION, "app") in cited
    assert (r.TRANSFER, "activity") in cited
    assert (r.CONFIDENTIAL, "file_name") in cited  # "supplier contracts 2027 zip"
    assert r.BLOCKED in kinds(raw={"action": "block"})
    assert r.BLOCKED not in kinds(raw={"action": "allow"})


@pytest.mark.parametrize(
    "sentence",
    [
        "Price list was e-mailed to kbraun1987@gmx.de.",
        "Attachment forwarded to rhoffmann.home@gmail.com.",
        "Message addressed to m.vogel.private@outlook.com.",
        "Uploaded to a personal Dropbox account.",
        "Synced to a private Google Drive.",
        "Sent to her own webmail account.",
        "Copied to an unmanaged cloud app.",
        "File sent to a non-corporate e-mail address.",
    ],
)
def test_personal_and_free_mail_destinations(sentence):
    assert r.PERSONAL_DESTINATION in kinds(sentence)


@pytest.mark.parametrize(
    "sentence",
    [
        "Invoice from billing@gmail.com asks about delivery dates.",  # a free-mail sender, not a destination
        "Sent to ap@fabrikam.com, the partner's accounts team.",  # a partner's own domain
        "The message was not sent to kbraun1987@gmx.de.",  # denied
    ],
)
def test_free_mail_senders_and_partner_recipients_are_no_personal_destination(sentence):
    assert r.PERSONAL_DESTINATION not in kinds(sentence)


@pytest.mark.parametrize(
    "sentence",
    [
        "Sign-in from a Tor exit node.",
        "Activity originated from an anonymous proxy IP address.",
        "Source is a commercial VPN provider.",
        "Request from a hosting ASN (AS14061).",
        "Connection via a residential proxy network.",
        "Okta: user signed in from anonymizer.",
        "Client behind an anonymising VPN.",
    ],
)
def test_anonymising_infrastructure(sentence):
    assert r.ANONYMISER in kinds(sentence)


def test_a_monitor_or_an_editor_is_no_tor():
    assert r.ANONYMISER not in kinds("The uptime monitor checked the editor page.")


@pytest.mark.parametrize(
    "sentence",
    [
        "Proofpoint TAP: impostor message delivered.",
        "Sender is posing as the Nordwind account manager.",
        "Message purports to come from the CFO.",
        "Typosquatted domain tailspin-toys.com.",
        "Homoglyph domain detected.",
        "Fake LinkedIn profile of a Contoso employee.",
        "A cousin domain of our supplier.",
        "Display name spoofing of an executive.",
    ],
)
def test_impersonation_and_lookalike_wording(sentence):
    assert r.IMPERSONATION in kinds(sentence)


def test_impersonation_denied_is_not_asserted():
    assert r.IMPERSONATION not in kinds("No impersonation indicators were found.")


@pytest.mark.parametrize(
    "sentence",
    [
        "The user entered her corporate credentials on the page.",
        "Credentials were submitted to the lookalike portal.",
        "Username and password were captured by the phishing kit.",
        "The victim filled in the fake login form.",
        "Credential submission observed after the click.",
    ],
)
def test_credential_submission_phrasing(sentence):
    assert r.CREDENTIALS_SUBMITTED in kinds(sentence)


@pytest.mark.parametrize(
    "sentence",
    [
        "Authentication of a.fischer SUCCESS from 203.0.113.230.",
        "p.meyer signed in successfully; MFA requirement satisfied by SMS.",
        "Accepted password for root from 2001:db8:bad::17 port 51022 ssh2.",
        "Event 4624: an account was successfully logged on.",
        "Sign-in succeeded for ext.nordwind.jkraus.",
    ],
)
def test_successful_sign_in_phrasing(sentence):
    assert r.LOGIN_SUCCESS in kinds(sentence)


def test_no_successful_sign_in_is_not_a_success():
    assert r.LOGIN_SUCCESS not in kinds(
        "Failed sign-ins for 46 accounts. No successful sign-in was observed."
    )


@pytest.mark.parametrize(
    "sentence",
    [
        "198.51.100.41 requested ids 1000 to 1850 in sequence.",
        "GET /partners/directory?page=1 through page=57.",
        "Forced browsing of administrative paths.",
        "Nmap SYN scan against the extranet.",
        "NSEC zone walking of example.com.",
        "Bot traffic harvesting the supplier showcase.",
    ],
)
def test_probing_and_enumeration_wording(sentence):
    assert r.RECON in kinds(sentence)


@pytest.mark.parametrize(
    "sentence",
    [
        "Attachment scanned clean and released.",
        "Unfamiliar device fingerprint at sign-in.",
        "Client python-requests/2.31 ran the nightly sync.",
        "Load balancer health probe returned 200.",
    ],
)
def test_controls_clients_and_health_checks_are_no_probing(sentence):
    assert r.RECON not in kinds(sentence)


@pytest.mark.parametrize(
    "sentence",
    [
        "The sender asks for our complete list of suppliers and their contact persons.",
        "Please send the current list of logistics subcontractors.",
        "Inbound mail requests vendor roster.",
        "They need the names of your key account managers at each carrier.",
        "A caller asked r.kurz for our list of suppliers and their contact persons.",  # a dotted name between
    ],
)
def test_solicitation_of_business_relationships(sentence):
    assert r.SOLICITATION in kinds(sentence)


def test_a_volume_above_its_baseline_is_abnormal_not_routine():
    stated = kinds("Volume is 40x the user's 30-day average baseline.")
    assert r.ABNORMAL in stated and r.NORMAL not in stated
    routine = kinds("Nightly sync, within the agreed baseline.")
    assert r.NORMAL in routine and r.ABNORMAL not in routine
    assert r.ABNORMAL in kinds("Mass download by a single user.")


@pytest.mark.parametrize(
    "sentence",
    ["Action: Block. The message was not sent.", "Verdict: quarantine", "Message moved to junk."],
)
def test_blocking_actions(sentence):
    assert r.BLOCKED in kinds(sentence)


def test_vendor_mail_fields_give_the_reply_to_and_authentication_results():
    raw = {
        "fromAddress": ["billing@tailspintoys.com"],
        "replyToAddress": ["tailspin.billing@gmail.com"],
        "spf": "fail",
        "dmarc": "fail",
    }
    facts = read(raw=raw)
    assert any(f.kind == r.REPLY_TO and f.cite == "replyToAddress" for f in facts)
    assert {f.value for f in facts if f.kind == r.AUTH_FAIL} == {"spf", "dmarc"}


@pytest.mark.parametrize(
    ("sentence", "mechanisms"),
    [
        ("DMARC verdict: fail; SPF result: softfail.", {"dmarc", "spf"}),
        ("compauth=fail reason=000", {"dmarc"}),  # Microsoft's composite authentication
        ("The sender failed DMARC alignment for tailspintoys.com.", {"dmarc"}),
        ("Authentication-Results: spf=fail smtp.mailfrom=tailspintoys.com; dmarc=fail", {"spf", "dmarc"}),
    ],
)
def test_authentication_results_as_gateways_write_them(sentence, mechanisms):
    assert set(values(r.AUTH_FAIL, sentence)) == mechanisms


def test_a_mismatch_is_read_across_the_dots_of_an_address():
    assert r.REPLY_TO in kinds("Reply-To address billing@tailspin-pay.com does not match the From address.")
    assert r.DISPLAY_NAME in kinds(
        "Display name 'Woodgrove Treasury' on wgb.treasury@mail.com does not match."
    )


@pytest.mark.parametrize(
    "sentence",
    [
        "Customer database dump offered on BreachForums.",
        "Supplier list posted on a Telegram channel.",
        "S3 bucket with supplier contracts is publicly readable.",
        "Contracts leaked to a paste site.",
        "'Supplier pricing 2027' was shared with anyone with the link.",
        "Visibility changed to public on the web.",
    ],
)
def test_data_published_outside(sentence):
    assert r.PUBLISHED in kinds(sentence)


def test_failed_sign_ins_with_a_dotted_account_and_attempt_counters():
    assert r.LOGIN_FAILURE in kinds("Okta: authentication of j.doe FAILURE: INVALID_CREDENTIALS")
    assert 15 in values(r.FAILURES, "Login failed for admin (attempt 15 of 15).")


@pytest.mark.parametrize(
    "sentence",
    [
        "The account sent 4,300 emails in one hour.",
        "Outbound mail volume from svc-mailer spiked to 12,000 messages.",
        "Mass mailing from a single sender.",
    ],
)
def test_mail_bursts_are_mass_mail_not_record_exports(sentence):
    stated = kinds(sentence)
    assert r.MASS_MAIL in stated and r.RECORDS not in stated


def test_typical_volume_for_an_integration_is_routine():
    assert r.NORMAL in kinds("Data transfer volume 2.1 GB, typical for this integration.")


def test_fields_nested_where_splunk_and_sentinel_put_them_are_read():
    splunk = read(raw={"search_name": "DLP export", "result": {"rows_exported": "12,400", "app": "mega.nz"}})
    assert [f.value for f in splunk if f.kind == r.RECORDS] == [12400]
    assert any(f.kind == r.PERSONAL_DESTINATION and f.cite == "app" for f in splunk)
    sentinel = read(raw={"properties": {"FileSize": 250_000_000, "FileName": "partner_contracts.zip"}})
    assert [f.value for f in sentinel if f.kind == r.BYTES] == [250_000_000]


def test_an_account_name_the_extractor_takes_for_a_domain_is_no_attribution_entity(settings):
    """ "d.ott" (.ott is a top-level domain) extracted from the text is the alert's user."""
    from enrichment.assistant.facts import CaseFacts
    from enrichment.assistant.reference import Reference

    settings.VIGIL_ORG_DOMAINS = ["example.com"]
    view = AlertView(
        id=1,
        observed_at=AT,
        title="File copied to removable media",
        description="d.ott copied brochure.pdf to a USB drive.",
        tags=[],
        raw={},
        technique_id="T1591.002",
        observables=[
            Obs("user", "d.ott", "user", 1),
            Obs("domain", "d.ott", "extracted", 2),
            Obs("url", "https://adatum-payrol.co.uk/login", "destination", 3),
            Obs("domain", "adatum-payrol.co.uk", "extracted", 4),
            Obs("domain", "gmx.de", "extracted", 5),
        ],
    )
    facts = CaseFacts(case=None, alerts=[view], ref=Reference([]))
    assert [d for _, _, d in facts.external_domains(with_urls=False)] == ["gmx.de"]
    assert {d for _, _, d in facts.external_domains()} == {"adatum-payrol.co.uk", "gmx.de"}
