"""The answer to each assist key's question, from a case's facts (see the package docstring)."""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings

from intel.enrichment.events import event_count, is_failed_login

from .facts import (
    NO,
    RECON_TECHNIQUES,
    UNKNOWN,
    YES,
    CaseFacts,
    ObservableFacts,
    evidence,
    partner_detail,
    partner_status,
    suggestion,
)


def answer_ip_reputation(facts: CaseFacts) -> dict:
    candidates = [o for o in facts.of_types("ip", "cidr") if o.is_actor]
    if not candidates:
        return suggestion(UNKNOWN, "No source IP address in the case's alerts", [])
    bad: list[dict] = []
    unlisted: list[dict] = []
    good: list[dict] = []
    pending: list[ObservableFacts] = []
    for item in candidates:
        rep = item.enrichment("ip_reputation")
        if rep is None:
            pending.append(item)
            continue
        verdict = rep.get("verdict")
        matches = rep.get("matches") or []
        top = matches[0] if matches else {}
        source = f"{top.get('list')} list: {top.get('cidr')}" if top else "ip_reputation"
        if top.get("label"):
            source += f" ({top['label']})"
        if verdict == "malicious":
            entry = next((m for m in matches if m.get("list") == "malicious"), top)
            bad.append(evidence(item, f"malicious list: {entry.get('cidr')}", rep.get("summary", "")))
            continue
        if verdict in ("internal", "benign"):
            good.append(
                evidence(item, source if matches else "internal address space", rep.get("summary", ""))
            )
            continue
        partners = partner_status(item, facts.case)
        active = [(p, s) for p, s in partners if s == "active"]
        if active:
            partner, status = active[0]
            good.append(evidence(item, f"partner {partner['name']}", partner_detail(partner, status)))
        elif partners:
            partner, status = partners[0]
            unlisted.append(evidence(item, f"partner {partner['name']}", partner_detail(partner, status)))
        elif verdict == "unlisted":
            unlisted.append(evidence(item, "ip_reputation", rep.get("summary", "")))
        else:
            pending.append(item)
    if bad:
        first = bad[0]
        return suggestion(
            NO, f"{first['observable'].split(':', 1)[1]} is on the malicious list", bad + unlisted
        )
    if unlisted:
        first = unlisted[0]
        return suggestion(
            NO,
            f"{first['observable'].split(':', 1)[1]} is not a known address: {first['detail']}",
            unlisted + good,
        )
    if pending and not good:
        return suggestion(UNKNOWN, "The source addresses are not enriched yet or could not be read", [])
    if pending:
        return suggestion(UNKNOWN, f"{len(pending)} address(es) could not be checked", good)
    return suggestion(
        YES, f"All {len(good)} source address(es) are known (benign, internal or partner)", good
    )


def _alert_bursts(facts: CaseFacts, threshold: int) -> list[dict]:
    found = []
    for alert in facts.alerts:
        count = event_count(alert.get("raw"), alert.get("description") or "")
        if count >= threshold:
            found.append(
                {
                    "observable": "",
                    "source": f"alert {alert['id']}",
                    "detail": f"{count} events in one alert: {alert['title'][:120]}",
                }
            )
    return found


def answer_probing(facts: CaseFacts) -> dict:
    threshold = settings.VIGIL_PROBING_MIN_ALERTS
    signals: list[dict] = []
    reasons: list[str] = []
    for item in facts.observables:
        pattern = item.enrichment("login_pattern")
        if pattern and pattern.get("verdict") in ("brute_force", "credential_stuffing"):
            signals.append(evidence(item, "login_pattern", pattern.get("summary", "")))
            reasons.append(pattern["verdict"].replace("_", " "))
    actors = [
        o
        for o in facts.observables
        if o.is_actor
        and (
            o.observable.type in ("user", "email")
            or (o.observable.type == "ip" and not o.observable.is_internal)
        )
    ]
    for item in actors:
        related = item.enrichment("related_activity")
        if not related:
            continue
        if related.get("verdict") == "burst":
            signals.append(evidence(item, "related_activity", related.get("summary", "")))
            reasons.append("burst of alerts")
        recon_cases = []
        for case in related.get("other_cases") or []:
            recon_cases.append(case)
        recon_alerts = sum(
            n
            for technique, n in (related.get("by_technique") or {}).items()
            if technique.startswith(RECON_TECHNIQUES)
        )
        if recon_cases and recon_alerts:
            refs = ", ".join(c.get("reference") or str(c.get("id")) for c in recon_cases[:3])
            signals.append(
                evidence(
                    item, refs, f"{recon_alerts} reconnaissance alert(s) in {len(recon_cases)} other case(s)"
                )
            )
            reasons.append("repeated reconnaissance")
    for item in facts.of_types("ip", "cidr"):
        rep = item.enrichment("ip_reputation")
        if item.is_actor and rep and rep.get("verdict") == "malicious":
            signals.append(evidence(item, "ip_reputation", rep.get("summary", "")))
            reasons.append("source on the malicious list")
    bursts = _alert_bursts(facts, threshold)
    if bursts:
        signals.extend(bursts)
        reasons.append("request burst")
    if signals:
        unique = list(dict.fromkeys(reasons))
        return suggestion(YES, "Signs of probing: " + ", ".join(unique), signals)
    if not facts.alerts:
        return suggestion(UNKNOWN, "The case has no alerts to look at", [])
    enriched = [o for o in facts.observables if o.enrichment("related_activity")]
    if facts.observables and not enriched:
        return suggestion(UNKNOWN, "Related activity is not computed yet", [])
    return suggestion(
        NO,
        f"No burst, no failed-login pattern and no related reconnaissance "
        f"({len(facts.alerts)} alert(s), threshold {threshold})",
        [
            evidence(o, "related_activity", o.enrichment("related_activity").get("summary", ""))
            for o in actors
            if o.enrichment("related_activity")
        ],
    )


def _malicious_actors(facts: CaseFacts) -> list[ObservableFacts]:
    return [
        o
        for o in facts.of_types("ip", "cidr")
        if o.is_actor and (o.enrichment("ip_reputation") or {}).get("verdict") == "malicious"
    ]


def answer_impersonation(facts: CaseFacts) -> dict:
    """Lookalike domains; and unusual communication: a partner outside its contract period,
    or a partner's own address used from a malicious-listed source."""
    # Senders and links first: the derived domain repeats what the address already shows.
    priority = {"email": 0, "url": 1, "domain": 2, "hostname": 3}
    checked = sorted(facts.of_types(*priority), key=lambda o: priority[o.observable.type])
    hits: list[dict] = []
    unusual: list[dict] = []
    clean = 0
    pending = 0
    for item in checked:
        result = item.enrichment("lookalike_domain")
        if result is None:
            pending += 1
            continue
        if result.get("verdict") == "lookalike":
            best = (result.get("lookalikes") or [{}])[0]
            source = f"imitates {best.get('imitates', '?')} ({best.get('owner', '?')})"
            hits.append(evidence(item, source, result.get("summary", "")))
        elif result.get("verdict") in ("clean", "legitimate"):
            clean += 1
    for item in facts.observables:
        for partner, status in partner_status(item, facts.case):
            if status in ("expired", "not_started"):
                unusual.append(
                    evidence(
                        item,
                        f"partner {partner['name']}",
                        "activity outside the contract period: " + partner_detail(partner, status),
                    )
                )
    # Senders on our own or a partner's genuine domain: used from a malicious-listed source
    # they are most likely spoofed or hijacked.
    identities = []
    for item in facts.observables:
        if item.observable.type != "email" and "sender" not in item.roles:
            continue
        result = item.enrichment("lookalike_domain") or {}
        if result.get("verdict") == "legitimate" and "destination" not in item.roles:
            identities.append((item, result.get("owner", "?")))
    bad_sources = _malicious_actors(facts)
    if identities and bad_sources:
        item, owner = identities[0]
        unusual.append(
            evidence(
                item,
                owner if owner == "organisation" else f"partner {owner}",
                f"a genuine {owner} address used from a malicious-listed source ({bad_sources[0].observable.value})",
            )
        )
    if hits:
        return suggestion(YES, f"Lookalike domain: {hits[0]['detail']}", hits + unusual)
    if unusual:
        return suggestion(YES, f"Unusual communication: {unusual[0]['detail']}", unusual)
    if pending and not clean:
        return suggestion(UNKNOWN, "The case's domains are not enriched yet", [])
    if not checked:
        return suggestion(
            NO, "No lookalike domain and no partner outside its contract (no sender, URL or domain)", []
        )
    return suggestion(NO, f"None of the {clean} domain(s) checked imitates the organisation or a partner", [])


def answer_business(facts: CaseFacts) -> dict:
    active: list[dict] = []
    inactive: list[dict] = []
    enriched = 0
    for item in facts.observables:
        if item.enrichment("partner_match") is not None:
            enriched += 1
        if not item.is_actor and item.observable.type not in ("email", "domain"):
            continue
        for partner, status in partner_status(item, facts.case):
            entry = evidence(item, f"partner {partner['name']}", partner_detail(partner, status))
            (active if status == "active" else inactive).append(entry)
    attacks = [
        evidence(o, "login_pattern", o.enrichment("login_pattern").get("summary", ""))
        for o in facts.observables
        if (o.enrichment("login_pattern") or {}).get("verdict") in ("brute_force", "credential_stuffing")
    ]
    lookalikes = [
        evidence(o, "lookalike_domain", o.enrichment("lookalike_domain").get("summary", ""))
        for o in facts.observables
        if (o.enrichment("lookalike_domain") or {}).get("verdict") == "lookalike"
    ]
    if active and (attacks or lookalikes):
        # A partner's network or name does not make an attack pattern a business operation.
        spoiler = (attacks + lookalikes)[0]
        return suggestion(
            NO,
            f"{active[0]['source'].removeprefix('partner ')} matches, but {spoiler['detail']} is not a business operation",
            active + attacks + lookalikes,
        )
    if active:
        return suggestion(YES, f"Matches a business partner: {active[0]['detail']}", active + inactive)
    if inactive:
        return suggestion(NO, f"Partner without an active contract: {inactive[0]['detail']}", inactive)
    if not enriched:
        return suggestion(UNKNOWN, "No observable has been checked against the partner register yet", [])
    return suggestion(NO, "No partner network or domain matches the activity", [])


def answer_login(facts: CaseFacts) -> dict:
    hits, weak = [], []
    enriched = 0
    for item in facts.observables:
        pattern = item.enrichment("login_pattern")
        if not pattern:
            continue
        enriched += 1
        if pattern.get("verdict") in ("brute_force", "credential_stuffing"):
            hits.append(evidence(item, "login_pattern", pattern.get("summary", "")))
        elif pattern.get("verdict") == "failed_logins":
            weak.append(evidence(item, "login_pattern", pattern.get("summary", "")))
    if hits:
        return suggestion(YES, hits[0]["detail"], hits + weak)
    if weak:
        return suggestion(NO, "Failed logins below the brute-force and stuffing thresholds", weak)
    failed_alerts = sum(
        1
        for a in facts.alerts
        if is_failed_login(a["title"], a.get("description") or "", a.get("tags"), a.get("raw"))
    )
    if not enriched and not failed_alerts:
        return suggestion(NO, "No failed-login alerts and no account or source to check", [])
    return suggestion(NO, "No failed-login pattern around these sources and accounts", [])


ANSWERS: dict[str, Callable[[CaseFacts], dict]] = {
    "ip_reputation": answer_ip_reputation,
    "related_activity": answer_probing,
    "lookalike_domain": answer_impersonation,
    "partner_match": answer_business,
    "business_context": answer_business,
    "login_pattern": answer_login,
}


def suggest(facts: CaseFacts, assist: str) -> dict:
    answer = ANSWERS.get(assist)
    if answer is None:
        return suggestion(UNKNOWN, f"The assistant does not know the assist key {assist!r}", [])
    return answer(facts)
