"""What the case's data cannot tell, a part of `analysis.Analysis` (which provides `facts`,
`account_owner`, `bulk`, `outside_normal` and `_senders`): Q2's volume or exposed data with
no request, login or source detail, and Q3's communication or account use whose identity or
origin was not recorded.
"""

from __future__ import annotations

from functools import cached_property

from . import alert_reading as r
from . import unrecorded as u
from .facts import AlertView
from .reference import contract_active


class UnknownAnswers:
    @staticmethod
    def origin_recorded(alert: AlertView) -> bool:
        """Where the activity came from: a source address or the source host (an endpoint),
        unless the alert says the other end was not recorded (a flow summary that kept no
        peer names only our own server)."""
        if alert.ips:
            return True
        hosts = [o for o in alert.of_types("hostname") if o.role == "source"]
        return bool(hosts) and not u.ORIGIN_NOT_RECORDED.search(alert.text)

    @cached_property
    def volume_without_detail(self) -> list[dict]:
        """Alerts reporting volume or exposed data with no request, login or source detail.
        An account name alone is none of them: it says who, not from where or how; the
        operation that produced the data ("Transaction=SE16N", "Operation=ReportExported")
        is a request: a one-off export, judged under the escalation criteria."""
        out = []
        for alert in self.facts.alerts:
            # A message's addresses are its detail; an exposed account's address is not.
            correspondents = [o for o in alert.of_types("email") if o.role != "user"]
            detail = self.origin_recorded(alert) or correspondents or u.REQUEST_DETAIL.search(alert.text)
            exposed = alert.first(r.PUBLISHED, r.EXPOSED, r.EXFILTRATION, r.ABNORMAL, r.RECORDS, r.BYTES)
            if exposed and not detail and not alert.has(r.LOGIN_FAILURE, r.LOGIN_SUCCESS):
                out.append(exposed.evidence())
        return out

    # --- Q3 ------------------------------------------------------------------------------

    @cached_property
    def q3_unknown(self) -> list[dict]:
        """Communication or account-use elements whose identity was not recorded."""
        out = []
        ref = self.facts.ref
        for alert in self.facts.alerts:
            # Who the correspondent is: an outside or sending address, an outside domain or
            # link, a partner's account or an outside address as account (the reporter of a
            # user-reported message, and the organisation's own domain, say nothing of it).
            outside_accounts = [
                a
                for a in alert.accounts()
                if ("@" not in a and self.account_owner(a) is not None)
                or ("@" in a and not ref.is_org_domain(a.rsplit("@", 1)[1]))
            ]
            links = [o for o in alert.of_types("domain", "url") if not ref.is_org_domain(o.domain)]
            identity = self._senders(alert) or links or outside_accounts
            if alert.is_communication and not identity:
                out.append(
                    {
                        **(alert.first(r.COMMUNICATION) or alert.facts[0]).evidence(),
                        "detail": "no sender address recorded",
                    }
                )
            # An account's abnormal activity (a mass download) with no origin is an account
            # use whose user cannot be told.
            fact = alert.first(r.ACCOUNT_ANOMALY) or (alert.accounts() and alert.first(r.ABNORMAL))
            # A bulk export outside its account's pattern (not a message: its correspondent
            # is the identity, and not one that was stopped).
            bulk = alert.accounts() and not fact and not alert.is_communication and self.bulk(alert)
            if bulk and not alert.has(r.BLOCKED) and self.outside_normal(alert):
                fact = alert.first(r.RECORDS, r.BYTES)
            if fact and not self.origin_recorded(alert):
                out.append({**fact.evidence(), "detail": f"{fact.detail} (origin not recorded)"})
            elif not self.origin_recorded(alert):
                out += self._outside_contract_use(alert)
                if not alert.accounts() and all(
                    p.search(alert.text) for p in (u.ACTOR_UNRESOLVED, u.AUTHENTICATED_USE)
                ):
                    detail = "accounts used whose user and origin were not recorded"
                    out.append({"observable": "", "source": f"alert {alert.id} · text", "detail": detail})
        return out

    def _outside_contract_use(self, alert: AlertView) -> list[dict]:
        """A partner's account used outside its contract's dates: an anomalous account use
        (its user cannot be told when the alert records no origin)."""
        return [
            {"observable": f"user:{account}", "source": f"alert {alert.id}", "detail": detail}
            for account in alert.accounts()
            if (owner := self.account_owner(account)) is not None
            and not contract_active(owner, alert.observed_at)
            for detail in [f"{owner.name} account {account} used outside its contract (origin not recorded)"]
        ]
