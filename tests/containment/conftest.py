"""Containment fixtures: a case T2 is investigating (built through the workflow services),
and settings that make the feed and the connectors testable."""

import socket
import subprocess
import time
from pathlib import Path

import pytest

from cases.models import Case


def walk_to_investigating(case: Case, *, l1, t2) -> Case:
    """new -> triage (L1 claims) -> escalated (every question answered) -> investigating."""
    from cases.services.steps import case_step_update
    from cases.services.workflow import case_claim, case_escalate

    case_claim(case=case, by=l1)
    for step in case.steps.filter(section="question"):
        case_step_update(step=step, value="yes", by=l1)
    case_escalate(
        case=case, by=l1, note="Scraping from 203.0.113.77 with m.keller confirmed.", reason="confirmed"
    )
    case_claim(case=case, by=t2)
    case.refresh_from_db()
    return case


@pytest.fixture
def investigating_case(seed_playbook, make_case, l1, t2):
    """The T1591.002 story's case (203.0.113.77, m.keller), claimed by T2."""
    return walk_to_investigating(make_case(), l1=l1, t2=t2)


@pytest.fixture(autouse=True)
def _ldap_configured(settings):
    """A configured (unreachable) directory: an unconfigured connector is refused when an
    action is requested (tests/containment/test_connector_configuration.py), so the
    tests that request account disables need one; the slapd tests point it at slapd."""
    settings.CONTAINMENT_LDAP = {
        **settings.CONTAINMENT_LDAP,
        "URL": settings.CONTAINMENT_LDAP.get("URL") or "ldap://127.0.0.1:9",
        "BASE_DN": settings.CONTAINMENT_LDAP.get("BASE_DN") or "dc=example,dc=com",
    }


@pytest.fixture
def containment_settings(settings):
    settings.CONTAINMENT_FEED_USERNAME = "paloalto"
    settings.CONTAINMENT_FEED_PASSWORD = "feed-secret"
    settings.CONTAINMENT_CONNECTORS = {"block_ip": "edl", "disable_account": "ldap", "manual": "manual"}
    settings.CONTAINMENT_QUEUE = ""
    return settings


# --- a throwaway slapd for the LDAP connector ------------------------------------------

SLAPD = Path("/usr/sbin/slapd")
LDAP_BASE = "dc=example,dc=com"
LDAP_ADMIN = "cn=admin,dc=example,dc=com"
LDAP_PASSWORD = "slapd-test-secret"
# Enough of Active Directory's schema for userAccountControl to behave as it does there.
AD_SCHEMA = """
attributetype ( 1.3.6.1.4.1.55555.1.1 NAME 'userAccountControl' EQUALITY integerMatch
  SYNTAX 1.3.6.1.4.1.1466.115.121.1.27 SINGLE-VALUE )
attributetype ( 1.3.6.1.4.1.55555.1.2 NAME 'sAMAccountName' EQUALITY caseIgnoreMatch
  SYNTAX 1.3.6.1.4.1.1466.115.121.1.15 SINGLE-VALUE )
attributetype ( 1.3.6.1.4.1.55555.1.3 NAME 'userPrincipalName' EQUALITY caseIgnoreMatch
  SYNTAX 1.3.6.1.4.1.1466.115.121.1.15 SINGLE-VALUE )
objectclass ( 1.3.6.1.4.1.55555.2.1 NAME 'user' SUP top AUXILIARY
  MAY ( userAccountControl $ sAMAccountName $ userPrincipalName ) )
"""
# (uid, userAccountControl): 512 normal, 66048 = 512 | DONT_EXPIRE_PASSWORD, 514 disabled.
LDAP_USERS = [("m.keller", 512), ("j.doe", 66048), ("already.off", 514), ("twin", 512)]


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Slapd:
    def __init__(self, url: str):
        self.url = url

    def admin(self):
        from ldap3 import Connection, Server

        return Connection(Server(self.url), user=LDAP_ADMIN, password=LDAP_PASSWORD, auto_bind=True)

    def seed(self) -> None:
        """(Re)create the people: each test starts from the same directory."""
        from ldap3 import SUBTREE

        conn = self.admin()
        conn.search(LDAP_BASE, "(objectClass=inetOrgPerson)", SUBTREE)
        for entry in list(conn.response):
            conn.delete(entry["dn"])
        conn.add(LDAP_BASE, ["dcObject", "organization"], {"dc": "example", "o": "Example"})
        conn.add(f"ou=people,{LDAP_BASE}", ["organizationalUnit"], {"ou": "people"})
        conn.add(f"ou=other,{LDAP_BASE}", ["organizationalUnit"], {"ou": "other"})
        for uid, uac in LDAP_USERS:
            conn.add(
                f"uid={uid},ou=people,{LDAP_BASE}",
                ["inetOrgPerson", "user"],
                {"cn": uid, "sn": uid, "sAMAccountName": uid, "userAccountControl": uac},
            )
        # A second "twin" elsewhere makes that name ambiguous.
        conn.add(
            f"uid=twin,ou=other,{LDAP_BASE}",
            ["inetOrgPerson", "user"],
            {"cn": "twin", "sn": "twin", "sAMAccountName": "twin"},
        )
        conn.unbind()

    def read(self, uid: str, attribute: str):
        conn = self.admin()
        conn.search(f"uid={uid},ou=people,{LDAP_BASE}", "(objectClass=*)", "BASE", attributes=[attribute])
        raw = conn.response[0]["raw_attributes"].get(attribute, [])
        conn.unbind()
        return [v.decode() for v in raw]

    def settings(self, mode: str) -> dict:
        return {
            "URL": self.url,
            "BIND_DN": LDAP_ADMIN,
            "PASSWORD": LDAP_PASSWORD,
            "BASE_DN": LDAP_BASE,
            "USER_FILTER": "" if mode == "ad" else "(uid={account})",
            "MODE": mode,
            "START_TLS": False,
            "CA_CERT_FILE": "",
            "TIMEOUT": 5,
        }


@pytest.fixture(scope="session")
def slapd_server(tmp_path_factory):
    """A real slapd on a free loopback port with a throwaway mdb database, the ppolicy
    overlay (OpenLDAP mode) and a small AD schema (userAccountControl), torn down after."""
    from tests.conftest import require_service

    require_service(SLAPD.exists(), f"{SLAPD} is not installed (Debian package slapd)")
    folder = tmp_path_factory.mktemp("slapd")
    (folder / "db").mkdir()
    (folder / "ad.schema").write_text(AD_SCHEMA)
    (folder / "slapd.conf").write_text(
        "\n".join(
            [
                "include /etc/ldap/schema/core.schema",
                "include /etc/ldap/schema/cosine.schema",
                "include /etc/ldap/schema/inetorgperson.schema",
                f"include {folder / 'ad.schema'}",
                "modulepath /usr/lib/ldap",
                "moduleload back_mdb",
                "moduleload ppolicy",
                f"pidfile {folder / 'slapd.pid'}",
                "database mdb",
                "maxsize 10485760",
                f'suffix "{LDAP_BASE}"',
                f'rootdn "{LDAP_ADMIN}"',
                f"rootpw {LDAP_PASSWORD}",
                f"directory {folder / 'db'}",
                "overlay ppolicy",
                "",
            ]
        )
    )
    port = _free_port()
    url = f"ldap://127.0.0.1:{port}"
    log = open(folder / "slapd.log", "w")  # noqa: SIM115 (closed at teardown)
    process = subprocess.Popen(
        [str(SLAPD), "-f", str(folder / "slapd.conf"), "-h", f"{url}/", "-d", "0"],
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.2):
                break
        except OSError:
            if process.poll() is not None:
                break
            time.sleep(0.05)
    if process.poll() is not None:
        log.close()
        pytest.fail(f"slapd did not start: {(folder / 'slapd.log').read_text()[-2000:]}")
    server = Slapd(url)
    try:
        yield server
    finally:
        process.terminate()
        try:
            process.wait(timeout=5)
        except subprocess.TimeoutExpired:
            process.kill()
        log.close()


@pytest.fixture
def slapd(slapd_server):
    slapd_server.seed()
    return slapd_server
