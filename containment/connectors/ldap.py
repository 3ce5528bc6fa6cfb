"""Disable and re-enable directory accounts with ldap3.

Active Directory mode sets the ACCOUNTDISABLE bit (0x2) of userAccountControl and keeps
every other bit (512 -> 514); re-enabling clears only that bit. OpenLDAP mode locks the
account with the ppolicy overlay's `pwdAccountLockedTime: 000001010000Z` (locked until
an administrator unlocks it); re-enabling deletes that value.

Writes are compare-and-swap (delete the value read, add the new one, in one modify), so
a concurrent change by someone else makes the modify fail and the task retry on fresh
data instead of overwriting bits it did not read. An account Vigil found already
disabled is left disabled on revert: Vigil only undoes what it did.
"""

import contextlib
import ssl

from django.conf import settings
from ldap3 import MODIFY_ADD, MODIFY_DELETE, MODIFY_REPLACE, NONE, SUBTREE, Connection, Server, Tls
from ldap3.core import exceptions as ldap_exceptions
from ldap3.utils.conv import escape_filter_chars

from playbooks.registry import ActionKey

from .base import Connector, ConnectorError

ACCOUNTDISABLE = 0x2
PERMANENT_LOCK = "000001010000Z"
DEFAULT_FILTERS = {
    "ad": "(&(objectClass=user)(|(sAMAccountName={account})(userPrincipalName={account})))",
    "openldap": "(uid={account})",
}
# Result codes worth retrying: the directory is busy or briefly unavailable, or our
# compare-and-swap lost against a concurrent change (16 no such value, 20 value exists).
TRANSIENT_RESULTS = {3, 11, 16, 20, 51, 52, 80}


class LdapConnector(Connector):
    name = "ldap"
    kinds = frozenset({ActionKey.DISABLE_ACCOUNT})

    def __init__(self, conf: dict | None = None):
        self.conf = conf or settings.CONTAINMENT_LDAP
        self.mode = (self.conf.get("MODE") or "ad").lower()
        if self.mode not in DEFAULT_FILTERS:
            raise ConnectorError(
                f"CONTAINMENT_LDAP_MODE must be ad or openldap, not {self.mode!r}.", permanent=True
            )

    # --- plumbing ---
    def _connect(self) -> Connection:
        url = (self.conf.get("URL") or "").strip().rstrip("/")  # ldap3 refuses a trailing slash
        if not url or not self.conf.get("BASE_DN"):
            raise ConnectorError(
                "LDAP is not configured (CONTAINMENT_LDAP_URL, CONTAINMENT_LDAP_BASE_DN).", permanent=True
            )
        timeout = self.conf.get("TIMEOUT") or 10
        use_ssl = url.lower().startswith("ldaps://")
        tls = None
        if use_ssl or self.conf.get("START_TLS"):
            tls = Tls(validate=ssl.CERT_REQUIRED, ca_certs_file=self.conf.get("CA_CERT_FILE") or None)
        server = Server(url, use_ssl=use_ssl, tls=tls, get_info=NONE, connect_timeout=timeout)
        conn = Connection(
            server,
            user=self.conf.get("BIND_DN") or None,
            password=self.conf.get("PASSWORD") or None,
            receive_timeout=timeout,
            raise_exceptions=False,
        )
        try:
            conn.open()
            if self.conf.get("START_TLS") and not use_ssl:
                conn.start_tls()
            if not conn.bind():
                self._raise(conn, "bind")
        except ldap_exceptions.LDAPCommunicationError as exc:
            raise ConnectorError(f"LDAP server unreachable: {exc}") from exc
        except ldap_exceptions.LDAPException as exc:
            raise ConnectorError(f"LDAP connection failed: {exc}", permanent=True) from exc
        return conn

    @staticmethod
    def _raise(conn: Connection, operation: str):
        result = conn.result or {}
        code = result.get("result")
        message = f"LDAP {operation} failed: {result.get('description', 'error')} ({code}) {result.get('message', '')}".strip()
        raise ConnectorError(message, permanent=code not in TRANSIENT_RESULTS)

    def _run(self, fn):
        conn = self._connect()
        try:
            return fn(conn)
        except ldap_exceptions.LDAPCommunicationError as exc:
            raise ConnectorError(f"LDAP connection lost: {exc}") from exc
        finally:
            with contextlib.suppress(ldap_exceptions.LDAPException):
                conn.unbind()

    def _find(self, conn: Connection, account: str, attribute: str) -> tuple[str, list[bytes]]:
        template = self.conf.get("USER_FILTER") or DEFAULT_FILTERS[self.mode]
        search_filter = template.replace("{account}", escape_filter_chars(account))
        conn.search(self.conf["BASE_DN"], search_filter, SUBTREE, attributes=[attribute], size_limit=2)
        # 4 (size limit exceeded) means more than one match: reported as ambiguous below.
        if (conn.result or {}).get("result") not in (0, 4, None):
            self._raise(conn, "search")
        entries = [r for r in conn.response or [] if r.get("type") == "searchResEntry"]
        if not entries:
            raise ConnectorError(f"No directory account matches {account!r}.", permanent=True)
        if len(entries) > 1:
            raise ConnectorError(
                f"Several directory accounts match {account!r}; refusing to guess.", permanent=True
            )
        raw = entries[0].get("raw_attributes", {})
        values = next((v for k, v in raw.items() if k.lower() == attribute.lower()), [])
        return entries[0]["dn"], list(values)

    def _modify(self, conn: Connection, dn: str, changes: dict) -> None:
        if not conn.modify(dn, changes):
            self._raise(conn, "modify")

    # --- Active Directory ---
    def _ad_disable(self, conn, account):
        dn, values = self._find(conn, account, "userAccountControl")
        if not values:
            raise ConnectorError(f"{dn} has no userAccountControl; is this Active Directory?", permanent=True)
        uac = int(values[0])
        if uac & ACCOUNTDISABLE:
            return {"dn": dn, "mode": "ad", "already_disabled": True, "userAccountControl": uac}
        new = uac | ACCOUNTDISABLE
        self._modify(
            conn, dn, {"userAccountControl": [(MODIFY_DELETE, [str(uac)]), (MODIFY_ADD, [str(new)])]}
        )
        return {"dn": dn, "mode": "ad", "already_disabled": False, "userAccountControl": new, "previous": uac}

    def _ad_enable(self, conn, account):
        dn, values = self._find(conn, account, "userAccountControl")
        if not values:
            raise ConnectorError(f"{dn} has no userAccountControl; is this Active Directory?", permanent=True)
        uac = int(values[0])
        if not uac & ACCOUNTDISABLE:
            return {"dn": dn, "mode": "ad", "already_enabled": True, "userAccountControl": uac}
        new = uac & ~ACCOUNTDISABLE
        self._modify(
            conn, dn, {"userAccountControl": [(MODIFY_DELETE, [str(uac)]), (MODIFY_ADD, [str(new)])]}
        )
        return {"dn": dn, "mode": "ad", "already_enabled": False, "userAccountControl": new, "previous": uac}

    # --- OpenLDAP ppolicy ---
    def _openldap_lock(self, conn, account):
        dn, values = self._find(conn, account, "pwdAccountLockedTime")
        current = values[0].decode() if values else ""
        if current == PERMANENT_LOCK:
            return {"dn": dn, "mode": "openldap", "already_disabled": True}
        # A temporary lockout (a timestamp) would lift by itself; make it permanent.
        self._modify(conn, dn, {"pwdAccountLockedTime": [(MODIFY_REPLACE, [PERMANENT_LOCK])]})
        return {"dn": dn, "mode": "openldap", "already_disabled": False, "previous_lock": current}

    def _openldap_unlock(self, conn, account):
        dn, values = self._find(conn, account, "pwdAccountLockedTime")
        if not values:
            return {"dn": dn, "mode": "openldap", "already_enabled": True}
        if values[0].decode() != PERMANENT_LOCK:  # a ppolicy lockout, not Vigil's lock
            return {"dn": dn, "mode": "openldap", "left_locked": True, "lock": values[0].decode()}
        self._modify(conn, dn, {"pwdAccountLockedTime": [(MODIFY_DELETE, [PERMANENT_LOCK])]})
        return {"dn": dn, "mode": "openldap", "already_enabled": False}

    # --- the connector interface ---
    def execute(self, action):
        disable = self._ad_disable if self.mode == "ad" else self._openldap_lock
        return self._run(lambda conn: disable(conn, action.target))

    def revert(self, action):
        if (action.result or {}).get("already_disabled"):
            return {"left_disabled": True, "why": "The account was already disabled before Vigil acted."}
        enable = self._ad_enable if self.mode == "ad" else self._openldap_unlock
        return self._run(lambda conn: enable(conn, action.target))
