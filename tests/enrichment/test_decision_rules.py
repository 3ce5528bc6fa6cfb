"""The decision rules' building blocks on their own: lookalike kinds and exceptions,
contract dates, facts read from vendor fields and sentences (each citing its alert),
thresholds as settings, and how the suggestions read on the case page."""

from datetime import UTC, date, datetime, timedelta
from types import SimpleNamespace

import pytest

from cases.models import CaseStep
from enrichment import assistant
from enrichment import services as enrichment
from enrichment.assistant import alert_reading as r
from enrichment.assistant.facts import AlertView
from enrichment.assistant.reference import Reference, contract_active, free_mail

from .support import answers as answers_of

AT = datetime(2026, 11, 20, 9, 0, tzinfo=UTC)


def partner(pk, name, domains, **extra):
    fields = {"networks": [], "contract_start": None, "contract_end": None, "criticality": "medium"}
    return SimpleNamespace(pk=pk, name=name, domains=domains, **(fields | extra))


@pytest.fixture
def ref(settings):
    settings.VIGIL_ORG_DOMAINS = ["example.com"]
    return Reference(
        [
            partner(1, "Contoso Logistics", ["contoso-logistics.net"]),
            partner(2, "Fabrikam", ["fabrikam.com"]),
            partner(3, "Fabrikam Freight", ["fabrikam-freight.com"]),
            partner(4, "Tailspin Toys", ["tailspintoys.com"]),
            partner(5, "Woodgrove Bank", ["woodgrovebank.com"]),
        ]
    )


@pytest.mark.parametrize(
    ("text", "named"),
    [
        ("Remittance advice from Tailspin accounts payable", ["Tailspin Toys"]),
        ("SUBJECT: TAILSPIN - REMITTANCE ADVICE", ["Tailspin Toys"]),  # a name in capitals
        ("invoice for tailspin_contract.pdf", ["Tailspin Toys"]),  # inside an identifier
        ("the woodgrove rollout starts", []),  # a first word in lower case is no name
        ("GET /PARTNERS/TAILSPIN HTTP/1.1", []),  # nor a path segment in capitals
    ],
)
def test_a_partner_is_named_by_its_first_word_written_as_a_name(ref, text, named):
    assert [p.name for p in ref.partners_named_in(text)] == named


@pytest.mark.parametrize(
    ("domain", "kind", "imitates"),
    [
        ("contoso-logistlcs.net", "edit_distance", "contoso-logistics.net"),
        ("tailspinntoyz.com", "edit_distance", "tailspintoys.com"),
        ("tailspint0ys.com", "homoglyph", "tailspintoys.com"),
        ("examp1e.com", "homoglyph", "example.com"),
        ("exarnple.com", "homoglyph", "example.com"),
        ("vvoodgrovebank.com", "homoglyph", "woodgrovebank.com"),
        ("cont\u043eso-logistics.net", "homoglyph", "contoso-logistics.net"),
        ("contoso-logistics.com", "tld_swap", "contoso-logistics.net"),
        ("example.co.uk", "tld_swap", "example.com"),
        ("contoso-logistics-billing.net", "added_word_or_hyphen", "contoso-logistics.net"),
        ("example-benefits.com", "added_word_or_hyphen", "example.com"),
    ],
)
def test_every_lookalike_kind(ref, domain, kind, imitates):
    found = ref.lookalike(domain)
    assert found is not None, domain
    assert kind in found.kinds and found.imitates == imitates


@pytest.mark.parametrize(
    "domain",
    [
        "fabrikam-freight.com",  # a registered partner beside fabrikam.com: never a lookalike
        "track.fabrikam-freight.com",
        "mail.example.com",
        "contoso-labs.com",  # shares a prefix only
        "nordicwindenergy.no",
        "gmail.com",
    ],
)
def test_what_is_not_a_lookalike(ref, domain):
    assert ref.lookalike(domain) is None


@pytest.mark.parametrize(
    ("day", "active"),
    [
        (date(2026, 10, 31), False),  # not yet started
        (date(2026, 11, 1), True),  # first day
        (date(2027, 10, 31), True),  # last day
        (date(2027, 11, 1), False),  # ended yesterday
    ],
)
def test_contract_dates_are_inclusive_calendar_days(day, active):
    adatum = partner(1, "Adatum", [], contract_start=date(2026, 11, 1), contract_end=date(2027, 10, 31))
    late = datetime.combine(day, datetime.max.time(), tzinfo=UTC)
    assert contract_active(adatum, late) is active
    open_ended = partner(2, "Fabrikam", [], contract_start=date(2025, 6, 1))
    assert contract_active(open_ended, late)


def test_free_mail_comes_from_the_library_list():
    assert free_mail("gmail.com") and free_mail("gmx.de") and free_mail("proton.me")
    assert not free_mail("example.com") and not free_mail(None)


def view(title="", description="", raw=None, observables=()):
    alert = AlertView(7, AT, title, description, [], raw or {}, "T1566.002", list(observables))
    return alert


def test_facts_cite_the_vendor_field_or_the_sentence(ref):
    alert = view(
        title="Partner CRM export by finance user from anonymising proxy",
        description="Session from a Tor exit node. t.becker exported 4,212 supplier rows (2.3 GB) from the CRM.",
        raw={
            "email": {"from": {"address": "a@fabrikam.com"}, "reply_to": {"address": "x@proton.me"}},
            "authentication_results": "spf=fail smtp.mailfrom=fabrikam.com; dmarc=fail",
            "event": {"category": ["authentication"], "outcome": "success"},
        },
    )
    facts = {f.kind: f for f in r.read(alert)}
    assert facts[r.RECORDS].value == 4212 and facts[r.RECORDS].cite == "description"
    assert "4,212 supplier rows" in facts[r.RECORDS].detail
    assert facts[r.BYTES].value == 2_300_000_000
    assert facts[r.REPLY_TO].cite == "email.reply_to.address"
    assert facts[r.AUTH_FAIL].cite == "authentication_results"
    assert facts[r.LOGIN_SUCCESS].cite == "event.outcome"
    assert facts[r.TRANSFER].evidence()["source"] == "alert 7 · description"


@pytest.mark.parametrize(
    ("text", "kind", "present"),
    [
        ("Message quarantined before delivery.", r.BLOCKED, True),
        ("Delivered to 3 mailboxes; no user clicked the link.", r.CLICKED, False),
        ("Delivered to 3 mailboxes; no user clicked the link.", r.DELIVERED, True),
        ("The mail was not blocked and the user clicked the link.", r.CLICKED, True),
        ("SPF and DMARC failed for the sender domain.", r.AUTH_FAIL, True),
        ("Reply-To differs from the From address.", r.REPLY_TO, True),
        ("Sequential requests /partners?page=1..240 (crawling).", r.RECON, True),
        ("Attachment scanned clean by the sandbox.", r.RECON, False),
        ("Periodic health check returned 200.", r.RECON, False),
        ("The sender asks for a list of your key suppliers and signatories.", r.SOLICITATION, True),
        ("Login failed for 12 accounts, none successful.", r.LOGIN_SUCCESS, False),
        ("Sign-in from 203.0.113.60 succeeded 3 minutes later.", r.LOGIN_SUCCESS, True),
        ("Display name 'Tailspin Accounts' does not match the sender address.", r.DISPLAY_NAME, True),
        # An authorisation named to say it was exceeded authorises nothing.
        ("3,871 answered 403 (employees outside Marlow's contracted placements).", r.AUTHORISED, False),
        ("Scan agreed in change CHG-2211, in scope.", r.AUTHORISED, True),
        # Automation without the word "scraping": rotating agents, 1,000+ requests in minutes.
        ("203.0.113.9 made 1,214 requests in 6 minutes with rotating user agents.", r.RECON, True),
        ("Likely automated traffic (bot score 2).", r.RECON, True),
        ("The user made 14 requests in 6 minutes.", r.RECON, False),
        # A gateway's "bulk" class is a newsletter, not a mass-mail burst.
        ("SPF pass, DKIM pass. Classified bulk mail, delivered.", r.MASS_MAIL, False),
        ("Outbound spam campaign: 4,300 messages in 1 hour.", r.MASS_MAIL, True),
    ],
)
def test_outcomes_and_wording_in_text(ref, text, kind, present):
    assert any(f.kind == kind for f in r.read(view(description=text))) is present


def test_evidence_quotes_are_shortened_at_a_word_boundary(ref):
    sentence = "Scraping of the partner directory " + "with many more words " * 20 + "at the end."
    fact = next(f for f in r.read(view(description=sentence)) if f.kind == r.RECON)
    assert fact.detail.endswith("…")
    assert sentence.startswith(fact.detail[:-1])
    assert fact.detail[-2] != " " and sentence[len(fact.detail) - 1] == " "


@pytest.mark.django_db
def test_thresholds_are_settings(seed_playbook, ingest_alert_factory, settings):
    settings.VIGIL_BRUTE_FORCE_MIN_FAILURES = 3
    result = ingest_alert_factory(
        title="Failed logins for j.weber",
        description="3 failed logins for j.weber.",
        observed_at=AT,
        observables=[("ip", "203.0.113.50", "source"), ("user", "j.weber", "user")],
    )
    assistant.refresh_case(case_id=result.case.pk)
    probing = CaseStep.objects.get(case=result.case, section="question", item__assist="related_activity")
    assert probing.suggestion["answer"] == "yes"
    assert "3 failed logins on j.weber within 1 h" in probing.suggestion["reason"]
    settings.VIGIL_BRUTE_FORCE_MIN_FAILURES = 10
    assistant.refresh_case(case_id=result.case.pk)
    probing.refresh_from_db()
    assert probing.suggestion["answer"] == "no"


@pytest.mark.django_db
def test_criteria_and_l1_steps_are_suggested_in_their_own_choices(
    client, l1, seed_playbook, ingest_alert_factory
):
    from intel import services

    services.network_create(by=None, cidr="203.0.113.230", list="malicious", label="Tor exit")
    result = ingest_alert_factory(
        title="Partner CRM export by finance user from anonymising proxy",
        description="t.becker exported 4,212 supplier rows from the partner CRM.",
        observed_at=AT,
        observables=[("ip", "203.0.113.230", "source"), ("user", "t.becker", "user")],
    )
    enrichment.alert_enrich(alert_id=result.alert.pk)
    assistant.refresh_case(case_id=result.case.pk)
    steps = {
        (s.section, s.item.assist): s
        for s in CaseStep.objects.filter(case=result.case).exclude(item__assist="").select_related("item")
    }
    criteria = {
        a: s.suggestion["answer"] for (section, a), s in steps.items() if section == "escalation_criterion"
    }
    assert criteria == {
        "exfiltration": "checked",
        "compromised_account": "checked",
        "supply_chain_anomaly": "unchecked",
        "sensitive_partner": "unchecked",
    }
    assert steps[("l1_step", "ip_reputation")].suggestion["answer"] == "done"
    assert steps[("l1_step", "login_pattern")].suggestion["answer"] == "not_applicable"
    exfiltration = steps[("escalation_criterion", "exfiltration")].suggestion
    assert "4,212 supplier rows" in exfiltration["reason"]
    assert exfiltration["evidence"][0]["source"] == f"alert {result.alert.pk} · description"

    client.force_login(l1)
    page = client.get(f"/cases/{result.case.pk}/").content.decode()
    assert "Assistant suggests: <strong>Met</strong>" in page
    assert "Assistant suggests: <strong>Not met</strong>" in page
    assert "Assistant suggests: <strong>Not applicable</strong>" in page
    assert "Vigil recommends: Escalate" in page


@pytest.mark.django_db
def test_reference_data_is_judged_at_each_alerts_time(seed_playbook, ingest_alert_factory):
    from intel import services

    services.partner_create(
        by=None,
        name="Litware",
        networks=["198.51.100.128/26"],
        contract_start=date(2026, 1, 1),
        contract_end=date(2026, 11, 30),
    )
    last_day = ingest_alert_factory(
        observed_at=datetime(2026, 11, 30, 23, 50, tzinfo=UTC),
        observables=[("ip", "198.51.100.140", "source"), ("user", "svc-litware", "user")],
    )
    day_after = ingest_alert_factory(
        observed_at=datetime(2026, 11, 30, 23, 50, tzinfo=UTC) + timedelta(days=2),
        observables=[("ip", "198.51.100.141", "source"), ("user", "svc-litware2", "user")],
    )
    answers = {}
    for result in (last_day, day_after):
        assistant.refresh_case(case_id=result.case.pk)
        step = CaseStep.objects.get(case=result.case, section="question", item__assist="partner_match")
        answers[result.case.pk] = step.suggestion["answer"]
    assert answers == {last_day.case.pk: "yes", day_after.case.pk: "no"}


@pytest.mark.django_db
def test_a_message_from_an_ended_partners_network_is_no_access_outside_the_contract(
    seed_playbook, ingest_alert_factory
):
    """E3's contract clause is about authenticating to or reading our systems: a newsletter
    the former partner's mail server sends us is not, an API read from its network is."""
    from intel import services

    services.partner_create(
        by=None,
        name="Contoso Logistics",
        domains=["contoso-logistics.net"],
        networks=["198.51.100.64/26"],
        contract_start=date(2024, 1, 1),
        contract_end=date(2026, 6, 30),
    )
    mail = ingest_alert_factory(
        title="Mimecast: URL Protect - clean",
        description="Newsletter from news@contoso-logistics.net delivered. SPF: pass; DMARC: pass.",
        observed_at=AT,
        observables=[
            ("ip", "198.51.100.80", "source"),
            ("email", "news@contoso-logistics.net", "sender"),
            ("email", "ops@example.com", "destination"),
        ],
    )
    read = ingest_alert_factory(
        title="API key of offboarded partner still in use",
        description="GET /v2/suppliers/contacts returned 312 records. Request succeeded.",
        observed_at=AT,
        observables=[("ip", "198.51.100.81", "source")],
    )
    answers = {}
    for result in (mail, read):
        assistant.refresh_case(case_id=result.case.pk)
        step = CaseStep.objects.get(
            case=result.case, section="escalation_criterion", item__assist="supply_chain_anomaly"
        )
        answers[result.case.pk] = step.suggestion["answer"]
    assert answers == {mail.case.pk: "unchecked", read.case.pk: "checked"}


PAGING = "Client svc-litware called GET /v2/parts?page=1..6, 540 records returned in total, HTTP 200."


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("description", "hour", "observables", "met"),
    [
        # The partner's integration paging through what it was given: enumeration (Q2), no E3.
        (PAGING, 11, [("user", "svc-litware", "user")], False),
        # Beyond its scope: refused, attack tooling, said so, over the records threshold.
        (
            "Client svc-litware requested /v2/parts/1 through /v2/parts/600; 590 answered 403 Forbidden.",
            11,
            [("user", "svc-litware", "user")],
            True,
        ),
        (
            "Client svc-litware ran nmap against the parts API, pages 1..6.",
            11,
            [("user", "svc-litware", "user")],
            True,
        ),
        (
            PAGING + " Its API scope covers only its own parts list.",
            11,
            [("user", "svc-litware", "user")],
            True,
        ),
        (PAGING.replace("540", "4,800"), 11, [("user", "svc-litware", "user")], True),
        # Outside the working day, or with no account of the partner's: not its integration.
        (PAGING, 23, [("user", "svc-litware", "user")], True),
        (PAGING.replace("Client svc-litware", "A client"), 11, [], True),
    ],
)
def test_a_partners_paging_is_beyond_its_scope_only_when_something_says_so(
    seed_playbook, ingest_alert_factory, description, hour, observables, met
):
    from intel import services

    services.partner_create(
        by=None, name="Litware", networks=["198.51.100.128/26"], contract_start=date(2026, 11, 1)
    )
    answered = answers_of(
        ingest_alert_factory,
        title="API gateway: new client pages through the parts catalogue",
        description=description,
        observed_at=AT.replace(hour=hour),
        observables=[("ip", "198.51.100.140", "source"), *observables],
    )
    assert answered["related_activity"] == "yes"  # Q2: enumeration either way
    assert answered["supply_chain_anomaly"] == ("checked" if met else "unchecked")


def test_a_reply_to_address_is_no_recipient_and_further_failures_are_counted(ref):
    facts = r.read(view(description="From a@fabrikam.com, Reply-To x@proton.me, to ap@example.com."))
    assert r.PERSONAL_DESTINATION not in {f.kind for f in facts}
    facts = r.read(view(description="5 further failed password attempts for svc-backup."))
    assert [f.value for f in facts if f.kind == r.FAILURES] == [5]


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("description", "hour", "met"),
    [
        # A stated routine departed from: ten times the stated baseline, or at night when it is daytime.
        ("18,412 records exported. The baseline is about 150 records per day, in business hours.", 11, True),
        ("1,400 records exported, its usual daily volume during business hours.", 3, True),
        ("1,400 records exported, its usual daily volume during business hours.", 11, False),
        ("1,400 records exported by the nightly scheduled sync, as every night.", 3, False),
    ],
)
def test_a_bulk_export_departs_from_the_routine_it_states(
    seed_playbook, ingest_alert_factory, description, hour, met
):
    answers = answers_of(
        ingest_alert_factory,
        title="CRM: bulk API export by integration user",
        description=description,
        observed_at=AT.replace(hour=hour),
        observables=[("ip", "10.1.2.3", "source"), ("user", "svc-sync", "user")],
    )
    assert answers["exfiltration"] == ("checked" if met else "unchecked")


@pytest.mark.django_db
def test_a_display_name_naming_a_partner_on_another_domain_forges_it(seed_playbook, ingest_alert_factory):
    from intel import services

    services.partner_create(by=None, name="Halcyon Pay", domains=["halcyonpay.com"], criticality="critical")

    def remittance_from(sender, outcome):
        return answers_of(
            ingest_alert_factory,
            title="Remittance advice",
            description=f"From 'Halcyon Pay Remittances' <{sender}> to ap@example.com. {outcome}.",
            observed_at=AT,
            technique_ids=["T1566"],
            observables=[("email", sender, "sender"), ("email", "ap@example.com", "destination")],
        )

    forged = remittance_from("noreply@remit-center.net", "Quarantined")
    assert forged["lookalike_domain"] == "yes"  # Q3: forged identity
    assert forged["sensitive_partner"] == "checked"  # E4: a critical partner's name in the lure
    assert remittance_from("noreply@halcyonpay.com", "Delivered")["lookalike_domain"] == "no"


@pytest.mark.django_db
def test_a_reply_carrying_a_file_to_a_lookalike_sender_is_data_leaving(seed_playbook, ingest_alert_factory):
    from intel import services

    services.partner_create(by=None, name="Pinecrest Legal", domains=["pinecrestlegal.com"])
    answers = answers_of(
        ingest_alert_factory,
        title="Reply sent to external sender",
        description="legal@pinecrest-legal.com asked for the signatories list. The recipient replied "
        "attaching Signatories.pdf (internal).",
        observed_at=AT,
        technique_ids=["T1598"],
        observables=[
            ("email", "legal@pinecrest-legal.com", "sender"),
            ("email", "cs@example.com", "destination"),
        ],
    )
    assert answers["exfiltration"] == "checked"
