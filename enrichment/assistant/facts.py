"""What the assistant knows about a case: its alerts (each with its observables, its IPs
judged at its own observed_at, and the facts read from its vendor fields and text), and
the reference data. Everything is scoped to the case: no other case's alert is read.

A fact cites its alert and the field or sentence it came from; evidence entries have the
shape the case page shows: {"observable", "source", "detail"}.
"""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime

from cases.models import Alert, AlertObservable, Case
from intel.domains import domain_of
from intel.models import BusinessPartner

from . import alert_reading
from . import vendor_claims as claims
from .reference import INTERNAL, IpJudgement, Reference

YES, NO, UNKNOWN = "yes", "no", "unknown"
# A name written with a path after it: a link's host, without its scheme.
HOST_WITH_PATH = re.compile(r"((?:[\w-]+\.)+[a-z]{2,})/", re.IGNORECASE)
MET, NOT_MET = "checked", "unchecked"
DONE, NOT_APPLICABLE = "done", "not_applicable"
MAX_EVIDENCE = 12
MAX_ALERTS_READ = 500
COMMUNICATION_TECHNIQUES = ("T1566", "T1598", "T1534")
EXTRACTED = AlertObservable.Role.EXTRACTED


@dataclass(frozen=True)
class Obs:
    type: str
    value: str
    role: str
    observable_id: int

    @property
    def label(self) -> str:
        return f"{self.type}:{self.value}"

    @property
    def domain(self) -> str | None:
        return domain_of(self.type, self.value)


@dataclass(frozen=True)
class Fact:
    kind: str
    alert_id: int
    cite: str  # "title", "description" or a vendor field path
    detail: str  # the sentence or field value, shortened at a word boundary
    value: object = None

    def evidence(self, observable: str = "") -> dict:
        return {
            "observable": observable,
            "source": f"alert {self.alert_id} · {self.cite}",
            "detail": self.detail,
        }


@dataclass
class AlertView:
    id: int
    observed_at: datetime
    title: str
    description: str
    tags: list
    raw: dict
    technique_id: str
    observables: list[Obs] = field(default_factory=list)
    ips: list[IpJudgement] = field(default_factory=list)
    facts: list[Fact] = field(default_factory=list)

    def of_types(self, *types: str) -> list[Obs]:
        return [o for o in self.observables if o.type in types]

    def has(self, *kinds: str) -> bool:
        return any(f.kind in kinds for f in self.facts)

    def first(self, *kinds: str) -> Fact | None:
        return next((f for f in self.facts if f.kind in kinds), None)

    def all(self, kind: str) -> list[Fact]:
        return [f for f in self.facts if f.kind == kind]

    def max_value(self, kind: str) -> int:
        return max((f.value for f in self.facts if f.kind == kind and isinstance(f.value, int)), default=0)

    @property
    def text(self) -> str:
        return f"{self.title}. {self.description}"

    @property
    def external_ips(self) -> list[IpJudgement]:
        return [ip for ip in self.ips if ip.kind != INTERNAL]

    @property
    def is_communication(self) -> bool:
        """A message or contact: a correspondent's address (not one only found in the text,
        nor an account's sign-in name), a phishing technique or communication wording."""
        accounts = set(self.accounts())
        correspondents = [
            o for o in self.of_types("email") if o.role != EXTRACTED and o.value not in accounts
        ]
        return bool(
            correspondents
            or (self.technique_id or "").startswith(COMMUNICATION_TECHNIQUES)
            or self.has(alert_reading.COMMUNICATION)
        )

    def accounts(self) -> list[str]:
        """Account names: user observables, and email observables in the user role."""
        names = [o.value for o in self.observables if o.type == "user"]
        names += [o.value for o in self.observables if o.type == "email" and o.role == "user"]
        return list(dict.fromkeys(names))


@dataclass
class CaseFacts:
    case: Case
    alerts: list[AlertView]
    ref: Reference

    def facts(self, *kinds: str) -> list[Fact]:
        return [f for a in self.alerts for f in a.facts if f.kind in kinds]

    def ips(self) -> list[tuple[AlertView, IpJudgement]]:
        return [(a, ip) for a in self.alerts for ip in a.ips]

    def alert(self, alert_id: int) -> AlertView | None:
        return next((a for a in self.alerts if a.id == alert_id), None)

    def external_domains(self, *, with_urls: bool = True) -> list[tuple[AlertView, Obs, str]]:
        """(alert, observable, domain) for non-organisation email domains, domain
        observables and (with_urls) URL hosts; each domain once per alert. Without URLs,
        a domain extracted from the text that is the host of one of the alert's URLs is a
        URL host too (a link or target, not an attribution entity). A domain extracted
        from the text that is the alert's account name or a file name is no domain at all."""
        types = ("email", "url", "domain") if with_urls else ("email", "domain")
        out, seen = [], set()
        for alert in self.alerts:
            url_hosts = set() if with_urls else {o.domain for o in alert.of_types("url")}
            # The domain a product says is imitated is not the activity's (attribution).
            if not with_urls:
                url_hosts |= {d.lower() for d in claims.IMITATED_DOMAIN.findall(alert.text)}
                # A name written with a path ("github.com/projectdiscovery/nuclei") is a URL's host.
                url_hosts |= {d.lower() for d in HOST_WITH_PATH.findall(alert.text)}
            # An account name the text extractor took for a domain ("d.ott", ".ott" is a TLD).
            not_domains = url_hosts | {a.lower() for a in alert.accounts()}
            # Senders and links first: a domain observable often repeats an address's domain.
            for obs in sorted(alert.of_types(*types), key=lambda o: types.index(o.type)):
                domain = obs.domain
                if not domain or self.ref.is_org_domain(domain) or (alert.id, domain) in seen:
                    continue
                if (
                    obs.type == "domain"
                    and obs.role == EXTRACTED
                    and (domain in not_domains or looks_like_file_name(domain) or cloud_service(domain))
                ):
                    continue
                seen.add((alert.id, domain))
                out.append((alert, obs, domain))
        return out


# Top-level domains that are also file extensions: in prose, "batch.zip" is a file.
FILE_EXTENSION_TLDS = frozenset({"zip", "mov"})


def looks_like_file_name(domain: str) -> bool:
    """A name the text extractor took for a domain that is a file name: an underscore (no
    host name has one: letters, digits and hyphens only) or a file-extension TLD."""
    return "_" in domain or domain.rsplit(".", 1)[-1] in FILE_EXTENSION_TLDS


# Cloud providers' service endpoints ("eventSource":"s3.amazonaws.com") and platforms' API
# group names ("apiVersion":"audit.k8s.io/v1"): a text naming one names the service the event
# happened on, not a third party to attribute it to.
CLOUD_SERVICE_DOMAINS = (
    "amazonaws.com",
    "googleapis.com",
    "windows.net",
    "azure.com",
    "cloudapp.net",
    "k8s.io",
)


def cloud_service(domain: str) -> bool:
    return any(domain == d or domain.endswith("." + d) for d in CLOUD_SERVICE_DOMAINS)


def gather(case: Case, *, reference: Reference | None = None) -> CaseFacts:
    """The case's alerts, their observables and the reference data, in three queries."""
    ref = reference or Reference(list(BusinessPartner.objects.order_by("name")))
    rows = list(
        Alert.objects.filter(case=case)
        .order_by("observed_at", "pk")
        .values("id", "observed_at", "title", "description", "tags", "raw", "technique_id")[:MAX_ALERTS_READ]
    )
    by_alert: dict[int, list[Obs]] = defaultdict(list)
    for alert_id, role, observable_id, type_, value in (
        AlertObservable.objects.filter(alert_id__in=[r["id"] for r in rows])
        .order_by("alert_id", "observable_id")
        .values_list("alert_id", "role", "observable_id", "observable__type", "observable__value")
    ):
        by_alert[alert_id].append(Obs(type_, value, role, observable_id))
    alerts = []
    for row in rows:
        view = AlertView(
            id=row["id"],
            observed_at=row["observed_at"],
            title=row["title"] or "",
            description=row["description"] or "",
            tags=row["tags"] if isinstance(row["tags"], list) else [],
            raw=row["raw"] if isinstance(row["raw"], dict) else {},
            technique_id=row["technique_id"] or "",
            observables=by_alert.get(row["id"], []),
        )
        view.ips = [ref.classify_ip(o.value, view.observed_at) for o in view.of_types("ip", "cidr")]
        view.facts = alert_reading.read(view)
        alerts.append(view)
    return CaseFacts(case=case, alerts=alerts, ref=ref)


def suggestion(answer: str, reason: str, evidence: list[dict]) -> dict:
    """The stored suggestion; evidence deduplicated and bounded, the reason kept whole."""
    unique = list({(e["observable"], e["source"], e["detail"]): e for e in evidence}.values())
    reason = " ".join(reason.split())
    while reason.endswith(("..", "….")):
        reason = reason[:-1]
    return {"answer": answer, "reason": reason, "evidence": unique[:MAX_EVIDENCE]}


def ip_evidence(alert: AlertView, ip: IpJudgement) -> dict:
    return {"observable": f"ip:{ip.value}", "source": f"alert {alert.id} · {ip.kind}", "detail": ip.detail}


def obs_evidence(alert: AlertView, obs: Obs, source: str, detail: str) -> dict:
    return {"observable": obs.label, "source": f"alert {alert.id} · {source}", "detail": detail}
