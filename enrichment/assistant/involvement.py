"""Which partners an alert involves and which acts in it, and whose an account is: a part
of `analysis.Analysis`, which provides `facts` and the `_involved` and `_owners` caches.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from . import wording as w

if TYPE_CHECKING:  # pragma: no cover
    from .facts import AlertView


# A file's name: a name with an extension ("Tidewater_Crane_Rates_2027.xlsx", 'Q4 rates.pdf').
FILE_NAME = re.compile(
    r"(?:['\"][^'\"\n]{1,120}|[\w.-]{1,120})\.(?:xlsx?|xlsm|docx?|pdf|csv|pptx?|txt|zip|7z|rar|json|xml|msg|eml)\b['\"]?",
    re.IGNORECASE,
)


class PartnerInvolvement:
    def partners_of(self, alert: AlertView) -> list:
        """Partners an alert involves: their networks, accounts, domains, lookalikes or name."""
        if alert.id not in self._involved:
            self._involved[alert.id] = self._partners_of(alert)
        return self._involved[alert.id]

    def _partners_of(self, alert: AlertView) -> list:
        ref, found = self.facts.ref, []
        found += [ip.partner for ip in alert.ips if ip.partner is not None]
        found += [self.account_owner(a) for a in alert.accounts()]
        for obs in alert.of_types("email", "domain", "url", "hostname"):
            found.append(ref.partner_of_domain(obs.domain))
            lookalike = ref.lookalike(obs.domain)
            found.append(lookalike.partner if lookalike else None)
        # Its name in a lure: a message's text, not a file's name ("Tidewater_Crane_Rates_2027.xlsx").
        if alert.is_communication:
            found += ref.partners_named_in(FILE_NAME.sub(" ", alert.text))
        return list({p.pk: p for p in found if p is not None}.values())

    def account_owner(self, account: str):
        """The partner an account was issued to: by its name or address (the register's
        domains and names), else the partner an alert's text says issued it ("partner-issued,
        Fenwick & Auer LLP"), else the partner from whose network the case's alerts show the
        account used ("hl-dispatch01" signed in from Helvetia's range is Helvetia's)."""
        if account not in self._owners:
            owner = self.facts.ref.partner_of_account(account) or self._issuer_named(account)
            if owner is None:
                owner = next(
                    (
                        ip.partner
                        for alert in self.facts.alerts
                        if account in alert.accounts()
                        for ip in alert.ips
                        if ip.partner is not None
                    ),
                    None,
                )
            self._owners[account] = owner
        return self._owners[account]

    def _issuer_named(self, account: str):
        """The partner the text names as the account's issuer ("partner-issued, Fenwick &
        Auer LLP"), or in the account's own parenthesis ("User=ZBRW_CONS02 (user group
        EXT_CONS, 'Brightwell Consulting - core modernisation')")."""
        own = re.compile(re.escape(account) + r"\W{0,3}\(([^()]{1,160})\)", re.IGNORECASE)
        for alert in self.facts.alerts:
            if account in alert.accounts():
                for sentence in w.sentences(alert.description):
                    named = self.facts.ref.partners_named_in(sentence) if w.ISSUED_TO.search(sentence) else []
                    if not named and (parenthesis := own.search(sentence)):
                        named = self.facts.ref.partners_named_in(parenthesis.group(1))
                    if named:
                        return named[0]
        return None

    def partner_actor(self, alert: AlertView) -> list:
        """Partners acting in the alert: its networks or its accounts."""
        found = [ip.partner for ip in alert.ips if ip.partner is not None]
        found += [self.account_owner(a) for a in alert.accounts()]
        return list({p.pk: p for p in found if p is not None}.values())
