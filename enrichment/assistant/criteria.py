"""The escalation criteria's signals (E1-E4), a part of `analysis.Analysis`: what leaves
the organisation, what a partner does beyond its contract or scope, and which
high-criticality partner suspicious activity involves. Each signal is an evidence entry
citing its alert and the field, sentence or observable.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cached_property
from ipaddress import ip_address

from django.conf import settings

from intel.domains import is_same_or_subdomain

from . import alert_reading as r
from . import unrecorded as u
from . import wording as w
from .facts import AlertView, ip_evidence, obs_evidence
from .reference import (
    BENIGN,
    INTERNAL,
    MALICIOUS,
    PARTNER_ACTIVE,
    UNKNOWN_EXTERNAL,
    contract_active,
    contract_text,
)
from .scope import ATTACK_TOOLING, OUT_OF_SCOPE, REFUSED_RESPONSES, stated_scope

INBOUND_TECHNIQUES = ("T1566", "T1598", "T1656", "T1534")
# What an anomaly must speak of to be E3's "unusual volume" (not an unusual source or sender).
VOLUME_WORDS = re.compile(
    r"\b(volume|download\w*|export\w*|records?|rows?|data|bulk|requests?|traffic|transfer\w*|files?|quer(?:y|ies)"
    r"|[kmgt]i?b|bytes?|rate|spike|surge|mass)\b",
    re.IGNORECASE,
)
# A personal destination that is a mail address, not a file share: Q3's communication case.
ADDRESS_WORDS = re.compile(
    r"\b(e-?mail|address|mailbox|inbox|gmail|outlook|proton)|[\w.+-]@[\w-]", re.IGNORECASE
)


# A routine stated as a rate of some operation ("Baseline: 1 clone per day"), and the same
# operation counted ("git.clone x41", "41 clones").
STATED_RATE = re.compile(
    r"\b(\d+)\s+([a-z]{3,}?)(?:e?s)?\s+(?:per|a|each|every)\s+(?:day|run|hour|week|night)\b", re.I
)


def departs_from_stated_rate(alert: AlertView) -> bool:
    """The alert counts ten times or more of an operation than the routine rate it states."""
    routine = {f.detail for f in alert.all(r.NORMAL)}
    rates = [(int(m.group(1)), m.group(2).lower()) for d in routine for m in STATED_RATE.finditer(d)]
    for rate, noun in rates:
        seen = re.compile(rf"\b{re.escape(noun)}\w*\s*[x\u00d7]\s*(\d+)|\b(\d+)\s+{re.escape(noun)}\w*", re.I)
        counts = [int(g) for m in seen.finditer(alert.text) for g in m.groups() if g]
        if counts and max(counts) >= 10 * max(rate, 1):
            return True
    return False


@dataclass
class Signal:
    evidence: dict
    alert_id: int | None = None
    partners: tuple = ()  # BusinessPartner objects involved

    @property
    def detail(self) -> str:
        return self.evidence["detail"]


def within_hours(hour: int, start: int, end: int) -> bool:
    """Whether an hour falls in [start, end), a window that may wrap past midnight."""
    return start <= hour < end if start <= end else not end <= hour < start


def signal_of(evidence: dict, alert: AlertView | None, partners=()) -> Signal:
    return Signal(evidence, alert.id if alert else None, tuple(p for p in partners if p is not None))


class CriteriaSignals:
    """Mixed into Analysis, which provides facts, patterns, partners_of, partner_actor, account_owner,
    personal_destination, _senders and the Q2/Q3 signal lists."""

    # --- E1 ------------------------------------------------------------------------------

    @cached_property
    def exfiltration(self) -> list[Signal]:
        signals = []
        for alert in self.facts.alerts:
            partners = self.partners_of(alert)
            if alert.has(r.BLOCKED):
                continue
            public = {f.detail for f in alert.all(r.PUBLIC_ONLY)}
            for kind in (r.PUBLISHED, r.EXFILTRATION):
                fact = alert.first(kind)
                # "Published on the public supplier page" finds nothing non-public, nor does a
                # post the alert found already public ("compared ... with your public website:
                # all 24 names appear on ...").
                already_public = any(w.ALREADY_PUBLIC.search(d) for d in public)
                if fact and not (kind == r.PUBLISHED and (fact.detail in public or already_public)):
                    signals.append(signal_of(fact.evidence(), alert, partners))
            bulk = self.bulk(alert)
            if bulk and not alert.has(r.PUBLIC_ONLY) and self.outside_normal(alert):
                signals.append(signal_of(bulk, alert, partners))
            personal = self.personal_destination(alert)
            if personal and not alert.has(r.PUBLIC_ONLY):
                signals.append(signal_of(personal, alert, partners))
        return signals

    def bulk(self, alert: AlertView) -> dict | None:
        """A transfer or export of at least the record or size threshold."""
        if not alert.has(r.TRANSFER, r.EXFILTRATION):
            return None
        records = [f for f in alert.all(r.RECORDS) if f.value >= settings.VIGIL_EXFIL_MIN_RECORDS]
        sizes = [f for f in alert.all(r.BYTES) if f.value >= settings.VIGIL_EXFIL_MIN_MEGABYTES * 1_000_000]
        found = (records or sizes or [None])[0]
        return found.evidence() if found else None

    @staticmethod
    def stated_and_seen(alert: AlertView, kind: str = r.RECORDS) -> tuple[list, list]:
        """The record counts (or sizes) of the alert's routine sentences ("baseline ~4,300
        rows/run") and those of its other sentences (what it saw)."""
        routine = {f.detail for f in alert.all(r.NORMAL)}
        found = alert.all(kind)
        return [f.value for f in found if f.detail in routine], [
            f.value for f in found if f.detail not in routine
        ]

    def within_baseline(self, alert: AlertView) -> bool:
        """The alert states a routine with a count or a size, and what it saw is within 1.5
        times it ("baseline ~4,300 rows/run" beside 4.6k rows, "baseline 1.9-2.3 GB per
        run" beside 2.1 GB), for each of the two the alert states a baseline of."""
        compared = [self.stated_and_seen(alert, kind) for kind in (r.RECORDS, r.BYTES)]
        compared = [(stated, seen) for stated, seen in compared if stated and seen]
        return bool(compared) and all(max(seen) <= 1.5 * max(stated) for stated, seen in compared)

    @staticmethod
    def never_authenticated(alert: AlertView) -> bool:
        """A connection the alert says never authenticated, or was refused, and that read
        nothing: no access to our systems or data (E3's "authenticating to or reading")."""
        return bool(u.NO_AUTHENTICATION.search(alert.text) or alert.has(r.BLOCKED)) and not alert.has(
            r.LOGIN_SUCCESS, r.RECORDS, r.EXFILTRATION, r.PUBLISHED
        )

    def unexplained_abnormal(self, alert: AlertView) -> list:
        """Abnormal-volume statements, unless the alert's stated baseline explains what it
        saw (a detection's "spike vs 7-day baseline" beside "previous runs 4,052, 4,087,
        4,101 records" and 4,120 seen) or it says it has none to compare with ("no
        behavioural baseline for this user"): then the claim is novelty, not volume."""
        if self.within_baseline(alert) or u.NO_BASELINE.search(alert.text):
            return []
        return alert.all(r.ABNORMAL)

    def outside_normal(self, alert: AlertView) -> bool:
        """Abnormal volume or off-hours timing stated, anonymising infrastructure used, no
        routine wording, or a routine stated and departed from: a volume ten times the
        baseline the alert states ("baseline is about 150 records per day" beside 18,412
        records), or a routine's stated hours ("during 08:00-17:00 UTC") or a daytime
        routine and the activity outside them."""
        if self.unexplained_abnormal(alert) or not alert.has(r.NORMAL):
            return True
        if alert.has(r.NOVELTY, r.ANONYMISER, r.OFF_HOURS):
            return True
        for kind in (r.RECORDS, r.BYTES):
            stated, seen = self.stated_and_seen(alert, kind)
            if stated and seen and max(seen) >= 10 * max(stated):
                return True
        if departs_from_stated_rate(alert):
            return True
        windows = [m.groups() for f in alert.all(r.NORMAL) for m in w.HOUR_WINDOW.finditer(f.detail)]
        if windows:
            return not any(within_hours(alert.observed_at.hour, int(a), int(b)) for a, b in windows)
        start, end = settings.VIGIL_WORKDAY_START_HOUR, settings.VIGIL_WORKDAY_END_HOUR
        daytime = any(w.DAYTIME.search(f.detail) for f in alert.all(r.NORMAL))
        return daytime and not (start <= alert.observed_at.hour < end)

    # --- E3 ------------------------------------------------------------------------------

    @cached_property
    def supply_chain(self) -> list[Signal]:
        signals = []
        start, end = settings.VIGIL_WORKDAY_START_HOUR, settings.VIGIL_WORKDAY_END_HOUR
        for alert in self.facts.alerts:
            actors = self.partner_actor(alert)
            if not actors:
                signals += self._partner_mailbox(alert)
                continue
            authorised = alert.has(r.AUTHORISED, r.NORMAL) or self.listed_authorisation(alert)
            # Failed or refused sign-ins only (a lockout): the partner's access was not used.
            failed_only = alert.has(r.LOGIN_FAILURE, r.BLOCKED) and not alert.has(r.LOGIN_SUCCESS)
            # A message the partner sends us is not access to our systems or data (its
            # fraud or mass mail is the mailbox case below).
            message_in = any(o.role == "sender" for o in self._senders(alert)) and not alert.has(
                r.LOGIN_SUCCESS
            )
            for ip in alert.ips:
                if (
                    ip.partner is not None
                    and not ip.partner_active
                    and not alert.has(r.PUBLIC_ONLY)
                    and not failed_only
                    and not message_in
                    and not self.never_authenticated(alert)
                ):
                    detail = f"{ip.partner.name} network used outside its contract: {ip.detail}"
                    signals.append(
                        signal_of(ip_evidence(alert, ip) | {"detail": detail}, alert, [ip.partner])
                    )
            for account in alert.accounts():
                owner = self.account_owner(account)
                if owner is None or failed_only:
                    continue
                if not contract_active(owner, alert.observed_at):
                    detail = f"{owner.name} account {account} used outside its contract: " + contract_text(
                        owner, alert.observed_at
                    )
                    signals.append(
                        signal_of(
                            {
                                "observable": f"user:{account}",
                                "source": f"alert {alert.id}",
                                "detail": detail,
                            },
                            alert,
                            [owner],
                        )
                    )
                foreign = [
                    ip for ip in alert.external_ips if ip.partner is not owner and ip.kind != PARTNER_ACTIVE
                ]
                if foreign and foreign[0].kind in (MALICIOUS, UNKNOWN_EXTERNAL):
                    detail = f"{owner.name} account {account} used from non-partner source {foreign[0].value}"
                    signals.append(
                        signal_of(ip_evidence(alert, foreign[0]) | {"detail": detail}, alert, [owner])
                    )
            probing = alert.first(r.RECON)
            in_attack = [
                p
                for p in self.patterns.login_attacks
                if alert.id in p.alert_ids and p.kind == "credential_stuffing"
            ]
            partner_ips = [ip for ip in alert.ips if ip.partner is not None]
            if (
                partner_ips
                and not authorised
                # A message asking for information probes none of our systems (Q2's case).
                and (
                    in_attack
                    or (probing and not message_in and not self.reads_within_scope(alert, partner_ips))
                )
            ):
                evidence = probing.evidence() if probing else in_attack[0].evidence("ip")
                signals.append(signal_of(evidence, alert, actors))
            bulk = self.bulk(alert)
            off_hours = not (start <= alert.observed_at.hour < end)
            if not alert.has(r.PUBLIC_ONLY) and bulk and self.outside_normal(alert):
                when = " outside working hours" if off_hours else ""
                signals.append(
                    signal_of(
                        {**bulk, "detail": f"bulk access by a partner{when}: {bulk['detail']}"}, alert, actors
                    )
                )
            # E3's "unusual volume": an unusual source or sender is no volume.
            elif (
                volume := [f for f in self.unexplained_abnormal(alert) if VOLUME_WORDS.search(f.detail)]
            ) and not alert.has(r.PUBLIC_ONLY, r.AUTHORISED):
                signals.append(signal_of(volume[0].evidence(), alert, actors))
            signals += self._partner_mailbox(alert)
        return signals

    def _partner_mailbox(self, alert: AlertView) -> list[Signal]:
        """A genuine partner mailbox sending fraud or mass mail: the partner's domain, its
        authentication not failed and, when the reply path or display name is diverted, passed
        (a diverted reply from an authenticated mailbox is the partner's mailbox misused, not a
        forgery). A user's report, a clean verdict or an information request is no fraud."""
        ref = self.facts.ref
        if any(f.value in ("spf", "dmarc") for f in alert.all(r.AUTH_FAIL)):
            return []
        if alert.has(r.REPLY_TO, r.DISPLAY_NAME) and not alert.has(r.AUTH_PASS):
            return []
        # A genuine sender's information request is reconnaissance (Q2), whatever class the
        # product files it under ("Content filter 'BEC-Info-Request'").
        solicits = alert.has(r.SOLICITATION) and not alert.has(r.BANK_CHANGE, r.MASS_MAIL)
        fraud = () if alert.has(r.CLEAN) or solicits else (r.FRAUD,)
        kinds = (*fraud, r.MASS_MAIL, r.BANK_CHANGE)
        for obs in self._senders(alert):
            partner = ref.partner_of_domain(obs.domain)
            fact = alert.first(*kinds)
            if (
                partner is not None
                and fact
                and alert.is_communication
                and not self.similarity_claim_disproved(alert, fact)
            ):
                detail = f"genuine {partner.name} mailbox {obs.value} sends: {fact.detail}"
                return [signal_of(obs_evidence(alert, obs, fact.cite, detail), alert, [partner])]
        return []

    @staticmethod
    def listed_authorisation(alert: AlertView) -> bool:
        """A partner's activity that the allow-list authorises: every partner address of the
        alert on the benign list under an entry whose label states an authorisation ("Redoubt
        - authorised external pentest PT-2026-11 (scope: DMZ 10.44.200.0/24, extranet)"),
        every internal address the alert names inside the networks that label gives as its
        scope, and every host it targets among the hosts it names (when it names any), and no
        statement that the scope was exceeded."""
        partner_ips = [ip for ip in alert.ips if ip.partner is not None]
        if not partner_ips or OUT_OF_SCOPE.search(alert.text):
            return False
        if not all(ip.kind == BENIGN and w.affirmed(w.AUTHORISED, ip.label) for ip in partner_ips):
            return False
        scopes = [stated_scope(ip.label) for ip in partner_ips]
        networks = [n for found, _ in scopes for n in found]
        hosts = [h for _, found in scopes for h in found]
        targets = [ip_address(ip.value) for ip in alert.ips if ip.kind == INTERNAL]
        named = [o.domain for o in alert.of_types("hostname", "url") if o.role == "destination" and o.domain]
        return (not networks or all(any(t in n for n in networks) for t in targets)) and (
            not hosts or all(any(is_same_or_subdomain(d, h) for h in hosts) for d in named)
        )

    def reads_within_scope(self, alert: AlertView, partner_ips: list) -> bool:
        """A partner's integration paging through what it was given, not probing beyond its
        scope: under its own account, from its networks, during an active contract and the
        working day, every request served (no refusal), no attack tooling, no anomaly or
        anonymiser stated, no more records than the exfiltration threshold, and no statement
        that it exceeded its scope."""
        partners = {ip.partner for ip in partner_ips}
        start, end = settings.VIGIL_WORKDAY_START_HOUR, settings.VIGIL_WORKDAY_END_HOUR
        text = alert.text
        return (
            any(self.account_owner(account) in partners for account in alert.accounts())
            and all(ip.partner_active for ip in partner_ips)
            and start <= alert.observed_at.hour < end
            and not any(pattern.search(text) for pattern in (REFUSED_RESPONSES, ATTACK_TOOLING, OUT_OF_SCOPE))
            and not alert.has(r.ABNORMAL, r.OFF_HOURS, r.ANONYMISER, r.BLOCKED)
            and alert.max_value(r.RECORDS) < settings.VIGIL_EXFIL_MIN_RECORDS
        )

    # --- E4 ------------------------------------------------------------------------------

    @cached_property
    def tier2_partners(self) -> list[Signal]:
        levels = set(settings.VIGIL_TIER2_PARTNER_CRITICALITIES)
        suspicious = (
            [s for s in self.probing if not self._legitimate_activity(s)]
            + self.lookalikes
            + self.forged_identity
            + self.account_use
            + self.communication_anomaly
            + self.exfiltration
            + self.supply_chain
        )
        signals = []
        for signal in suspicious:
            for partner in signal.partners:
                if partner.criticality in levels:
                    detail = f"{partner.name} ({partner.criticality}) involved: {signal.detail}"
                    signals.append(Signal({**signal.evidence, "detail": detail}, signal.alert_id, (partner,)))
        return signals

    def _legitimate_activity(self, signal: Signal) -> bool:
        """Probing signals from legitimate sources that are bursts or declared authorised or
        routine: activity, not an anomaly."""
        alert = self.facts.alert(signal.alert_id) if signal.alert_id else None
        if alert is None or not alert.ips or not all(ip.legitimate for ip in alert.ips):
            return False
        return " alerts from " in signal.detail or alert.has(r.AUTHORISED, r.NORMAL)
