"""The LDAP connector against a real slapd (started by the fixture on a free port)."""

import pytest

from containment import services
from containment.connectors.base import ConnectorError
from containment.connectors.ldap import PERMANENT_LOCK, LdapConnector
from containment.models import ContainmentAction
from containment.services import execution
from soc.errors import NotAllowed

pytestmark = pytest.mark.services


class FakeAction:
    """What the connector reads of an action (the connector tests need no database)."""

    def __init__(self, target, result=None):
        self.target, self.result = target, result or {}


def test_ad_mode_sets_accountdisable_and_keeps_the_other_bits(slapd):
    connector = LdapConnector(slapd.settings("ad"))
    result = connector.execute(FakeAction("j.doe"))
    assert slapd.read("j.doe", "userAccountControl") == ["66050"]  # 66048 | 2
    assert result["already_disabled"] is False and result["previous"] == 66048
    reverted = connector.revert(FakeAction("j.doe", result))
    assert slapd.read("j.doe", "userAccountControl") == ["66048"]
    assert reverted["already_enabled"] is False


def test_ad_mode_512_becomes_514_and_a_second_run_changes_nothing(slapd):
    connector = LdapConnector(slapd.settings("ad"))
    connector.execute(FakeAction("m.keller"))
    again = connector.execute(FakeAction("m.keller"))
    assert again["already_disabled"] is True
    assert slapd.read("m.keller", "userAccountControl") == ["514"]


def test_an_account_already_disabled_is_left_disabled_on_revert(slapd):
    connector = LdapConnector(slapd.settings("ad"))
    result = connector.execute(FakeAction("already.off"))
    assert result["already_disabled"] is True
    assert connector.revert(FakeAction("already.off", result))["left_disabled"] is True
    assert slapd.read("already.off", "userAccountControl") == ["514"]


def test_openldap_mode_locks_with_ppolicy_and_unlocks(slapd):
    connector = LdapConnector(slapd.settings("openldap"))
    result = connector.execute(FakeAction("m.keller"))
    assert slapd.read("m.keller", "pwdAccountLockedTime") == [PERMANENT_LOCK]
    assert connector.execute(FakeAction("m.keller"))["already_disabled"] is True
    connector.revert(FakeAction("m.keller", result))
    assert slapd.read("m.keller", "pwdAccountLockedTime") == []
    assert connector.revert(FakeAction("m.keller", result))["already_enabled"] is True


@pytest.mark.parametrize(("account", "message"), [("nobody", "No directory account"), ("twin", "Several")])
def test_unknown_or_ambiguous_accounts_fail_permanently(slapd, account, message):
    with pytest.raises(ConnectorError) as exc:
        LdapConnector(slapd.settings("ad")).execute(FakeAction(account))
    assert exc.value.permanent and message in exc.value.message


def test_filter_injection_is_escaped(slapd):
    with pytest.raises(ConnectorError) as exc:
        LdapConnector(slapd.settings("openldap")).execute(FakeAction("*"))
    assert "No directory account" in exc.value.message  # "*" matched literally, not everyone


def test_wrong_credentials_are_permanent_and_an_unreachable_server_transient(slapd):
    conf = slapd.settings("ad") | {"PASSWORD": "wrong"}
    with pytest.raises(ConnectorError) as exc:
        LdapConnector(conf).execute(FakeAction("m.keller"))
    assert exc.value.permanent and "invalidCredentials" in exc.value.message
    conf = slapd.settings("ad") | {"URL": "ldap://127.0.0.1:1/", "TIMEOUT": 1}
    with pytest.raises(ConnectorError) as exc:
        LdapConnector(conf).execute(FakeAction("m.keller"))
    assert not exc.value.permanent


def test_missing_configuration_is_permanent():
    with pytest.raises(ConnectorError) as exc:
        LdapConnector({"URL": "", "BASE_DN": "", "MODE": "ad"}).execute(FakeAction("m.keller"))
    assert exc.value.permanent


@pytest.mark.django_db
def test_disable_account_end_to_end_through_the_services(
    slapd, investigating_case, t2, manager, containment_settings, monkeypatch
):
    monkeypatch.setattr("containment.services.common.dispatch_on_commit", lambda *a, **k: None)
    containment_settings.CONTAINMENT_LDAP = slapd.settings("ad")
    action = services.action_request(
        case=investigating_case, kind="disable_account", target="m.keller", by=t2
    )
    services.action_approve(action=action, by=manager)
    assert execution.action_run(action_id=action.pk) == execution.SUCCEEDED
    assert slapd.read("m.keller", "userAccountControl") == ["514"]
    with pytest.raises(NotAllowed):  # it needed approval; so does undoing it
        services.action_revert(action=action, by=t2)
    services.action_revert(action=action, by=manager)
    assert execution.action_run(action_id=action.pk, phase=execution.REVERT) == execution.SUCCEEDED
    assert slapd.read("m.keller", "userAccountControl") == ["512"]
    action.refresh_from_db()
    assert action.status == ContainmentAction.Status.REVERTED
