"""The signals of the decision rules, computed once per case: what probes (Q2) and what
impersonates or uses an account that is not the user's (Q3); which partners an alert
involves comes from involvement.PartnerInvolvement, the escalation criteria's signals
(E1-E4) from criteria.CriteriaSignals.

Each signal is an evidence entry citing the alert and the field, sentence or observable.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import cached_property

from django.conf import settings

from . import alert_reading as r
from . import vendor_claims as claims
from . import wording as w
from .criteria import ADDRESS_WORDS, INBOUND_TECHNIQUES, CriteriaSignals, Signal, signal_of
from .facts import AlertView, CaseFacts, ip_evidence, obs_evidence
from .involvement import PartnerInvolvement
from .patterns import CasePatterns, compute
from .reference import MALICIOUS, UNKNOWN_EXTERNAL, free_mail, names_own_domain
from .scope import REFUSED_RESPONSES
from .unknowns import UnknownAnswers

# A sender written with its display name: "'Halcyon Pay Remittances' <noreply@...>",
# "From: Halcyon Pay <noreply@...>".
DISPLAY_NAME_ADDRESS = re.compile(
    r"(?:[\"'\u201c\u2018]([^\"'<>\n\u201d\u2019]{2,80})[\"'\u201d\u2019]|\bfrom:?\s+([^\"'<>\n,;:]{2,60}?))"
    r"\s*<([\w.+-]+@[\w-]+(?:\.[\w-]+)+)>",
    re.IGNORECASE,
)


def monitor_probe(alert: AlertView, fact) -> bool:
    """Probes of a monitor's periodic health checks ("probe set redeployed by the vendor"
    beside "GET /healthz every 60 s"): the monitor's checks, not probing of endpoints."""
    return alert.has(r.PERIODIC) and not w.RECON.search(w.PROBE_WORD.sub(" ", fact.detail))


@dataclass
class Analysis(PartnerInvolvement, UnknownAnswers, CriteriaSignals):
    facts: CaseFacts
    patterns: CasePatterns = field(init=False)

    def __post_init__(self):
        self.patterns = compute(self.facts)
        self._involved: dict[int, list] = {}
        self._owners: dict[str, object | None] = {}

    # --- Q2 ------------------------------------------------------------------------------

    @cached_property
    def probing(self) -> list[Signal]:
        signals = []
        for alert in self.facts.alerts:
            fact = next(
                (
                    f
                    for f in alert.all(r.RECON)
                    if not self.routine_paging(alert, f) and not monitor_probe(alert, f)
                ),
                None,
            )
            if fact:
                signals.append(signal_of(fact.evidence(), alert, self.partners_of(alert)))
            # A request to change bank details asks for no relationship information.
            payment = {f.detail for f in alert.all(r.BANK_CHANGE)}
            fact = next((f for f in alert.all(r.SOLICITATION) if f.detail not in payment), None)
            if fact and alert.is_communication:
                signals.append(signal_of(fact.evidence(), alert, self.partners_of(alert)))
            # A vendor naming brute force or stuffing without counts: its word is the evidence;
            # with counts, the thresholds decide (patterns below).
            fact = alert.first(r.LOGIN_ATTACK)
            counted = alert.has(r.FAILURES, r.ACCOUNTS) or alert.max_value(r.EVENTS) > 1
            if fact and not counted:
                signals.append(signal_of(fact.evidence(), alert, self.partners_of(alert)))
        for pattern in self.patterns.bursts + self.patterns.stuffing:
            signals.append(
                Signal(pattern.evidence("ip"), pattern.alert_ids[0], self._pattern_partners(pattern))
            )
        for pattern in self.patterns.brute_force:
            signals.append(
                Signal(pattern.evidence("user"), pattern.alert_ids[0], self._pattern_partners(pattern))
            )
        return signals

    def routine_paging(self, alert: AlertView, fact) -> bool:
        """A sync paging through its result set ("cursor pages 1..46") from legitimate
        sources, in a run the alert states is routine and within its baseline: the rules'
        routine sync, not enumeration. Other reconnaissance wording in the sentence still counts."""
        rest = claims.PAGING.sub(" ", fact.detail)
        return (
            bool(claims.PAGING.search(fact.detail))
            and not w.RECON.search(rest)
            and bool(alert.ips)
            and all(ip.legitimate for ip in alert.ips)
            and self.within_baseline(alert)
            and not self.unexplained_abnormal(alert)
            and not alert.has(r.OFF_HOURS, r.ANONYMISER)
            and not REFUSED_RESPONSES.search(alert.text)
        )

    def _pattern_partners(self, pattern) -> tuple:
        alerts = [self.facts.alert(i) for i in pattern.alert_ids]
        return tuple({p.pk: p for a in alerts if a for p in self.partners_of(a)}.values())

    @cached_property
    def lookalikes(self) -> list[Signal]:
        signals = []
        for alert, obs, domain in self.facts.external_domains():
            found = self.facts.ref.lookalike(domain)
            if found:
                signals.append(
                    signal_of(obs_evidence(alert, obs, "lookalike", found.describe()), alert, [found.partner])
                )
        return signals

    @cached_property
    def forged_identity(self) -> list[Signal]:
        ref, signals = self.facts.ref, []
        for alert in self.facts.alerts:
            partners = self.partners_of(alert)
            for kind in (r.REPLY_TO, r.DISPLAY_NAME, r.IMPERSONATION):
                fact = alert.first(kind)
                if fact and not (kind == r.IMPERSONATION and self.similarity_claim_disproved(alert, fact)):
                    signals.append(signal_of(fact.evidence(), alert, partners))
            failed = [f for f in alert.all(r.AUTH_FAIL) if f.value in ("spf", "dmarc")]
            senders = self._senders(alert)
            claimed_from = senders or [o for o in alert.of_types("email") if o.role != "destination"]
            owned = [
                o for o in claimed_from if ref.is_org_domain(o.domain) or ref.partner_of_domain(o.domain)
            ]
            if failed and owned:
                detail = f"{owned[0].value} fails {failed[0].value.upper()}: {failed[0].detail}"
                signals.append(
                    signal_of(obs_evidence(alert, owned[0], failed[0].cite, detail), alert, partners)
                )
            for quoted, written, address in DISPLAY_NAME_ADDRESS.findall(alert.text):
                display = quoted or written
                domain = address.rpartition("@")[2].lower()
                named = [p for p in ref.partners_named_in(display) if ref.partner_of_domain(domain) is not p]
                if named and not ref.is_org_domain(domain) and not names_own_domain(display, domain):
                    detail = f'{address} displays as {named[0].name} ("{display.strip()}"), not its domain'
                    evidence = {
                        "observable": f"email:{address.lower()}",
                        "source": f"alert {alert.id} · text",
                    }
                    signals.append(signal_of({**evidence, "detail": detail}, alert, named))
                    break
            claimed = ref.partners_named_in(alert.text)
            inbound = (alert.technique_id or "").startswith(INBOUND_TECHNIQUES) or any(
                o.role == "sender" for o in senders
            )
            for obs in senders:
                if inbound and free_mail(obs.domain) and claimed and not alert.has(r.PERSONAL_DESTINATION):
                    detail = f"free-mail sender {obs.value} presents as {claimed[0].name}"
                    signals.append(signal_of(obs_evidence(alert, obs, "sender", detail), alert, claimed))
                    break
        return signals

    def similarity_claim_disproved(self, alert: AlertView, fact) -> bool:
        """A product's lookalike claim ("sender domain resembles partner quorra.io", "fuzzy
        brand match") about senders that are no lookalike by the rules (a registered
        domain, or one no lookalike rule matches) and pass authentication, with no
        display-name or Reply-To mismatch: the product's heuristic, not a forged identity."""
        if not claims.SIMILARITY_CLAIM.search(fact.detail) or alert.has(
            r.REPLY_TO, r.DISPLAY_NAME, r.AUTH_FAIL
        ):
            return False
        senders = [o for o in self._senders(alert) if o.role == "sender"]
        ref = self.facts.ref
        return (
            bool(senders) and alert.has(r.AUTH_PASS) and all(ref.lookalike(o.domain) is None for o in senders)
        )

    def _senders(self, alert: AlertView):
        """External correspondents of the alert: senders first, then other outside emails."""
        emails = [
            o
            for o in alert.of_types("email")
            if not self.facts.ref.is_org_domain(o.domain) or o.role == "sender"
        ]
        senders = [o for o in emails if o.role == "sender"]
        return senders or [o for o in emails if o.role not in ("destination", "user")]

    @cached_property
    def account_use(self) -> list[Signal]:
        """Accounts used by someone other than their owner (Q3's account cases, E2)."""
        facts, signals = self.facts, []
        sources = self.patterns.attacking_sources(facts)
        accounts = self.patterns.attacked_accounts(facts)
        submitted = facts.facts(r.CREDENTIALS_SUBMITTED)
        brute_min = settings.VIGIL_BRUTE_FORCE_MIN_FAILURES
        for alert in facts.alerts:
            not_completed = bool(w.SIGN_IN_NOT_COMPLETED.search(alert.text))
            failed_only = not_completed or (
                alert.has(r.LOGIN_FAILURE, r.FAILURES) and not alert.has(r.LOGIN_SUCCESS)
            )
            # A mail's user is its recipient, not someone using the account.
            in_use = not alert.is_communication or alert.has(r.LOGIN_SUCCESS)
            if alert.accounts() and not failed_only and in_use:
                for ip in alert.ips:
                    if ip.kind == MALICIOUS:
                        detail = f"{alert.accounts()[0]} used from a malicious-listed address: {ip.detail}"
                        signals.append(
                            signal_of(
                                ip_evidence(alert, ip) | {"detail": detail}, alert, self.partners_of(alert)
                            )
                        )
            if not alert.has(r.LOGIN_SUCCESS) or not_completed:
                continue
            success = alert.first(r.LOGIN_SUCCESS)
            partners = self.partners_of(alert)
            named = r.succeeded_from(alert)
            hit_sources = [ip for ip in named or alert.ips if ip.value in sources]
            # The owner's sign-in from a legitimate address after the attempts is not the attacker's.
            owner_only = named and all(ip.legitimate for ip in named)
            hit_accounts = [] if owner_only else [a for a in alert.accounts() if a in accounts]
            if hit_sources or hit_accounts:
                who = hit_sources[0].value if hit_sources else hit_accounts[0]
                detail = (
                    f"successful login involving {who}, which the failed-login pattern targeted or came from"
                )
                signals.append(signal_of({**success.evidence(), "detail": detail}, alert, partners))
            elif alert.max_value(r.FAILURES) >= brute_min and not owner_only:
                signals.append(signal_of(success.evidence(), alert, partners))
            if not alert.accounts() and any(ip.kind == MALICIOUS for ip in alert.ips):
                ip = next(ip for ip in alert.ips if ip.kind == MALICIOUS)
                signals.append(
                    signal_of(
                        ip_evidence(alert, ip)
                        | {"detail": f"login from a malicious-listed address: {ip.detail}"},
                        alert,
                        partners,
                    )
                )
            if submitted:
                first = submitted[0]
                prior = facts.alert(first.alert_id)
                if prior and prior.observed_at <= alert.observed_at:
                    detail = (
                        f"login after credentials were submitted (alert {first.alert_id}): {success.detail}"
                    )
                    signals.append(signal_of({**success.evidence(), "detail": detail}, alert, partners))
        for alert in facts.alerts:
            concurrent = self.concurrent_sign_ins(alert)
            if concurrent:
                detail = f"{alert.accounts()[0]} signed in from its usual network and from {concurrent.value}"
                signals.append(
                    signal_of(
                        ip_evidence(alert, concurrent) | {"detail": detail}, alert, self.partners_of(alert)
                    )
                )
            # Concurrent use or a taken session, not an oddity alone ("unfamiliar sign-in").
            fact = next((f for f in alert.all(r.ACCOUNT_ANOMALY) if w.CONCURRENT_USE.search(f.detail)), None)
            odd = [ip for ip in alert.ips if ip.kind in (MALICIOUS, UNKNOWN_EXTERNAL)]
            if fact and odd and not alert.has(r.OWNER_CONFIRMED):
                detail = f"{fact.detail} (source {odd[0].value})"
                signals.append(
                    signal_of({**fact.evidence(), "detail": detail}, alert, self.partners_of(alert))
                )
        return signals

    @staticmethod
    def concurrent_sign_ins(alert: AlertView):
        """The rules' "concurrent use from the owner's network and an unknown source": an
        account's alert stating successful sign-ins from a legitimate address and from an
        unknown or malicious one ("Sign-in 1: ... 2001:db8:4a10::20 success", "Sign-in 2:
        ... 2001:db8:77:1::15 success"); the odd address, or None."""
        if not alert.accounts():
            return None
        named = {ip.value: ip for ip in alert.ips}
        signed_in = [named[v] for f in alert.all(r.LOGIN_SUCCESS) for v in named if v in f.detail.lower()]
        odd = [ip for ip in signed_in if ip.kind in (MALICIOUS, UNKNOWN_EXTERNAL)]
        return odd[0] if odd and any(ip.legitimate for ip in signed_in) else None

    @cached_property
    def communication_anomaly(self) -> list[Signal]:
        signals = []
        minimum = settings.VIGIL_MASS_MAIL_MIN_RECIPIENTS
        for alert in self.facts.alerts:
            partners = self.partners_of(alert)
            # A stated routine explains a mailing, unless the mail is fraudulent or abnormal.
            routine = alert.has(r.NORMAL) and not alert.has(r.FRAUD, r.ABNORMAL)
            if alert.is_communication and not routine:
                fact = alert.first(r.MASS_MAIL)
                many = [f for f in alert.all(r.RECIPIENTS) if f.value >= minimum]
                if fact or many:
                    signals.append(signal_of((fact or many[0]).evidence(), alert, partners))
            personal = self.personal_destination(alert, addresses_only=True)
            if personal and alert.has(r.CONFIDENTIAL):
                signals.append(signal_of(personal, alert, partners))
        for pattern in self.patterns.mail_bursts:
            signals.append(Signal(pattern.evidence("email"), pattern.alert_ids[0]))
        return signals

    def personal_destination(self, alert: AlertView, *, addresses_only: bool = False) -> dict | None:
        """Data sent to a personal, free-mail or attacker-controlled address (or, unless
        addresses_only, to an unsanctioned file share)."""
        if alert.has(r.BLOCKED) or not alert.has(r.TRANSFER):
            return None
        fact = alert.first(r.PERSONAL_DESTINATION)
        # "to non-corporate recipient" beside the recipient's address names a mail address.
        outside_recipient = any(
            o.role == "destination" and not self.facts.ref.is_org_domain(o.domain)
            for o in alert.of_types("email")
        )
        if fact and (not addresses_only or ADDRESS_WORDS.search(fact.detail) or outside_recipient):
            return fact.evidence()
        outbound = not (alert.technique_id or "").startswith(INBOUND_TECHNIQUES)
        # A reply (with the file attached) goes to the message's sender.
        replied = alert.has(r.REPLIED)
        for obs in alert.of_types("email"):
            if (obs.role == "sender" and not replied) or self.facts.ref.is_org_domain(obs.domain):
                continue
            lookalike = self.facts.ref.lookalike(obs.domain)
            to_them = obs.role == "destination" or outbound or (replied and obs.role == "sender")
            # A reply to a sender the alert finds forging an identity goes to the attacker, as
            # does mail to an address another alert of the case found forging one.
            impostor = (
                (replied and obs.role == "sender" and alert.has(r.IMPERSONATION, r.DISPLAY_NAME))
                or (obs.role == "destination" and obs.value in self.forging_senders)
            ) and not w.NO_ATTACHMENT.search(alert.text)  # a text-only reply carries no data
            if to_them and (free_mail(obs.domain) or lookalike or impostor):
                kind = "a lookalike" if lookalike else "an impostor's" if impostor else "a personal free-mail"
                return obs_evidence(alert, obs, "recipient", f"data sent to {obs.value}, {kind} address")
        return None

    @cached_property
    def forging_senders(self) -> set[str]:
        """Outside addresses of the case's messages that forge an identity: the sender and
        the reply path it gives ("Reply-To: kestrel.payroll.ops@freemail.test")."""
        ref = self.facts.ref
        return {
            o.value
            for alert in self.facts.alerts
            if alert.has(r.IMPERSONATION, r.DISPLAY_NAME, r.REPLY_TO)
            for o in alert.of_types("email")
            if o.role in ("sender", "declared") and not ref.is_org_domain(o.domain)
        }
