"""Vigil's rows in TheHive's shapes: alerts (TheHive 5 and the v0 API of TheHive 3/4),
observables/artifacts, cases, the current user. Times are epoch milliseconds, ids strings.

Where Vigil has no such field (tlp, pap, follow) TheHive's defaults are answered. An alert
that did not come in TheHive's format answers type "vigil", its source's name and its
source_ref. Every case also carries Vigil's own reference and page under `extraData.vigil`.
"""

from collections.abc import Sequence
from datetime import datetime

from cases.models import (
    Alert,
    AlertAttachment,
    AlertObservable,
    Case,
    IngestSource,
    KeptObservable,
    Observable,
)

SEVERITY_LABELS = {1: "LOW", 2: "MEDIUM", 3: "HIGH", 4: "CRITICAL"}
TLP_LABELS = {0: "WHITE", 1: "GREEN", 2: "AMBER", 3: "RED", 4: "AMBER+STRICT"}
PAP_LABELS = {0: "WHITE", 1: "GREEN", 2: "AMBER", 3: "RED"}
DEFAULT_TLP = DEFAULT_PAP = 2
CREATED_BY_VIGIL = "vigil"

T = Observable.Type
DATA_TYPES = {
    T.IP: "ip",
    T.DOMAIN: "domain",
    T.HOSTNAME: "hostname",
    T.URL: "url",
    T.EMAIL: "mail",
    T.HASH: "hash",
}
# Types TheHive has no dataType for: "other", tagged so they read back (cases.ingest.thehive).
OTHER_TAGS = {T.USER: "account", T.CIDR: "cidr"}

CASE_STAGES = {
    Case.Status.NEW: "New",
    Case.Status.RESOLVED: "Closed",
    Case.Status.CLOSED: "Closed",
}
RESOLUTION_STATUSES = {
    Case.Resolution.FALSE_POSITIVE: "FalsePositive",
    Case.Resolution.TRUE_POSITIVE: "TruePositive",
    Case.Resolution.DUPLICATE: "Duplicated",
    Case.Resolution.BENIGN: "Other",
}


def ms(when: datetime | None) -> int | None:
    return None if when is None else int(when.timestamp() * 1000)


def _raw_int(raw: dict, key: str, default: int) -> int:
    value = raw.get(key)
    return value if isinstance(value, int) and not isinstance(value, bool) else default


def identity(alert: Alert) -> tuple[str, str, str]:
    """TheHive's (type, source, sourceRef) of an alert: as sent, or Vigil's stand-ins."""
    raw = alert.raw if isinstance(alert.raw, dict) else {}
    parts = (raw.get("type"), raw.get("source"), raw.get("sourceRef"))
    if all(isinstance(p, str) for p in parts) and alert.source_ref == ":".join(parts):
        return parts  # type: ignore[return-value]
    return "vigil", alert.source.name, alert.source_ref


def _observable(id_: str, alert: Alert, created_at: datetime, data_type: str, *, v0: bool) -> dict:
    """TheHive's fields every observable has; Vigil keeps no tlp, pap, ioc or sightings
    for what a sender declared, so TheHive's defaults are answered."""
    body = {
        "_id": id_,
        "_type": "Observable" if not v0 else "case_artifact",
        "_createdBy": alert.source.name,
        "_createdAt": ms(created_at),
        "dataType": data_type,
        "startDate": ms(alert.observed_at),
        "tlp": DEFAULT_TLP,
        "tlpLabel": TLP_LABELS[DEFAULT_TLP],
        "pap": DEFAULT_PAP,
        "papLabel": PAP_LABELS[DEFAULT_PAP],
        "tags": [],
        "ioc": False,
        "sighted": False,
        "ignoreSimilarity": False,
        "reports": {},
        "extraData": {},
    }
    if v0:
        body["id"] = id_
    return body


def observable(link: AlertObservable, alert: Alert, *, v0: bool = False) -> dict:
    obs = link.observable
    tags = [OTHER_TAGS[obs.type]] if obs.type in OTHER_TAGS else []
    if link.role in (AlertObservable.Role.SOURCE, AlertObservable.Role.SENDER):
        tags.append(link.role)
    body = _observable(f"o{link.pk}", alert, alert.received_at, DATA_TYPES.get(obs.type, "other"), v0=v0)
    body.update(data=obs.value, tags=tags, message=f"{link.get_role_display()} ({obs.get_type_display()})")
    return body


def kept_observable(item: KeptObservable, alert: Alert, *, v0: bool = False) -> dict:
    """An observable Vigil keeps no entity for, as the sender declared it."""
    body = _observable(f"k{item.pk}", alert, item.received_at, item.data_type, v0=v0)
    body.update(data=item.data, tags=list(item.tags), message=item.message)
    return body


def attachment_observable(item: AlertAttachment, alert: Alert, *, v0: bool = False) -> dict:
    body = _observable(f"f{item.pk}", alert, item.received_at, "file", v0=v0)
    body["attachment"] = {
        "_id": str(item.pk),
        "id": str(item.pk),
        "name": item.name,
        "size": item.size,
        "contentType": item.content_type or "application/octet-stream",
        "hashes": [item.sha256],
    }
    return body


def alert(
    alert: Alert,
    links: list[AlertObservable],
    attachments: list[AlertAttachment],
    *,
    kept: Sequence[KeptObservable] = (),
    case_url: str,
    v0: bool = False,
) -> dict:
    """TheHive's alert (v1), or with `v0` the TheHive 3/4 alert with `artifacts`: its
    observables are its entities, the values kept as sent, then its files."""
    type_, source, source_ref = identity(alert)
    raw = alert.raw if isinstance(alert.raw, dict) else {}
    tlp, pap = _raw_int(raw, "tlp", DEFAULT_TLP), _raw_int(raw, "pap", DEFAULT_PAP)
    observables = (
        [observable(link, alert, v0=v0) for link in links]
        + [kept_observable(item, alert, v0=v0) for item in kept]
        + [attachment_observable(item, alert, v0=v0) for item in attachments]
    )
    body = {
        "_id": str(alert.pk),
        "_type": "Alert" if not v0 else "alert",
        "_createdBy": alert.source.name,
        "_createdAt": ms(alert.received_at),
        "type": type_,
        "source": source,
        "sourceRef": source_ref,
        "title": alert.title,
        "description": alert.description,
        "severity": alert.severity,
        "severityLabel": SEVERITY_LABELS[alert.severity],
        "date": ms(alert.observed_at),
        "tags": list(alert.tags),
        "tlp": tlp,
        "tlpLabel": TLP_LABELS.get(tlp, "AMBER"),
        "pap": pap,
        "papLabel": PAP_LABELS.get(pap, "AMBER"),
        "follow": True,
        "customFields": [],
        "observableCount": len(observables),
        # Every Vigil alert belongs to a case from the moment it arrives.
        "caseId": str(alert.case_id),
        "status": "Imported",
        "stage": "Imported",
        "extraData": {
            "vigil": {
                "case_url": case_url,
                "technique_ids": list(alert.technique_ids),
                "flags": list(alert.flags),
            }
        },
        "newDate": ms(alert.received_at),
        "importedDate": ms(alert.received_at),
        "timeToDetect": max(0, (ms(alert.received_at) or 0) - (ms(alert.observed_at) or 0)),
    }
    if isinstance(raw.get("externalLink"), str):
        body["externalLink"] = raw["externalLink"]
    if v0:
        body.update(id=body["_id"], createdBy=body["_createdBy"], createdAt=body["_createdAt"])
        body.update(case=body["caseId"], artifacts=observables, lastSyncDate=body["_createdAt"])
    else:
        body["observables"] = observables
    return body


def case(case: Case, *, url: str) -> dict:
    """TheHive 5's case object for a Vigil case."""
    stage = CASE_STAGES.get(case.status, "InProgress")
    if stage == "Closed":
        status = RESOLUTION_STATUSES.get(case.resolution, "Indeterminate")
    else:
        status = "New" if stage == "New" else "InProgress"
    body = {
        "_id": str(case.pk),
        "_type": "Case",
        "_createdBy": CREATED_BY_VIGIL,
        "_createdAt": ms(case.opened_at),
        "_updatedAt": ms(case.updated_at),
        "number": case.pk,
        "title": case.title,
        "description": "",
        "severity": case.severity,
        "severityLabel": SEVERITY_LABELS[case.severity],
        "startDate": ms(case.first_observed_at or case.opened_at),
        "tags": [case.technique_id] if case.technique_id else [],
        "flag": False,
        "tlp": DEFAULT_TLP,
        "tlpLabel": TLP_LABELS[DEFAULT_TLP],
        "pap": DEFAULT_PAP,
        "papLabel": PAP_LABELS[DEFAULT_PAP],
        "status": status,
        "stage": stage,
        "extraData": {"vigil": {"reference": case.reference, "url": url, "status": case.status}},
        "newDate": ms(case.opened_at),
        "timeToDetect": 0,
    }
    if case.assignee_id:
        body["assignee"] = case.assignee.get_username()
    if case.acknowledged_at:
        body["inProgressDate"] = ms(case.acknowledged_at)
    closed = case.closed_at or case.resolved_at
    if closed:
        body["endDate"] = body["closedDate"] = ms(closed)
    return body


def user(source: IngestSource, *, v0: bool = False) -> dict:
    """The ingest source, as TheHive describes the API key's user."""
    body = {
        "_id": str(source.pk),
        "_type": "User",
        "_createdBy": CREATED_BY_VIGIL,
        "_createdAt": ms(source.created_at),
        "login": source.name,
        "name": source.name,
        "hasKey": True,
        "hasPassword": False,
        "hasMFA": False,
        "locked": not source.is_active,
        "profile": "ingest",
        "permissions": ["manageAlert/create", "manageAlert/update"],
        "organisation": CREATED_BY_VIGIL,
        "organisations": [{"organisation": CREATED_BY_VIGIL, "profile": "ingest"}],
    }
    if v0:
        body.update(id=source.name, roles=["read", "write"], status="Ok" if source.is_active else "Locked")
    return body
