"""An unconfigured connector is shown as such and cannot be requested; the checklist step
of an action follows the action."""

from __future__ import annotations

import pytest
from django.urls import reverse

from containment import services
from containment.connectors import BUILTIN, get_connector
from containment.models import ContainmentAction
from containment.services import execution
from playbooks.models import PlaybookItem
from playbooks.registry import ActionKey
from soc.errors import DomainError

pytestmark = pytest.mark.django_db


@pytest.fixture
def no_ldap(settings):
    settings.CONTAINMENT_CONNECTORS = {**settings.CONTAINMENT_CONNECTORS, "disable_account": "ldap"}
    settings.CONTAINMENT_LDAP = {**settings.CONTAINMENT_LDAP, "URL": "", "BASE_DN": ""}


def test_an_unconfigured_connector_cannot_be_requested(investigating_case, t2, no_ldap):
    with pytest.raises(DomainError, match="LDAP is not configured"):
        services.action_request(case=investigating_case, kind="disable_account", target="m.keller", by=t2)
    assert not ContainmentAction.objects.exists()


@pytest.mark.parametrize(
    ("connector", "problem"),
    [
        ("nope", "Unknown connector 'nope'"),
        ("tests.containment.support:MissingConnector", "Unknown connector"),
        # LDAP disables accounts: routing IP blocks to it would run its code on an address.
        ("ldap", "The ldap connector does not carry out 'Block IP'"),
    ],
)
def test_a_connector_that_cannot_carry_out_the_kind_is_refused_when_requested(
    investigating_case, t2, settings, connector, problem
):
    settings.CONTAINMENT_CONNECTORS = {**settings.CONTAINMENT_CONNECTORS, "block_ip": connector}
    with pytest.raises(DomainError, match=problem) as refused:
        services.action_request(case=investigating_case, kind="block_ip", target="203.0.113.77", by=t2)
    assert "CONTAINMENT_CONNECTORS" in refused.value.data["errors"]["kind"][0]
    assert not ContainmentAction.objects.exists()


def test_every_builtin_connector_carries_out_the_kinds_it_is_offered_for():
    carried = {kind for name in BUILTIN for kind in get_connector(name).kinds}
    assert carried == set(ActionKey)
    assert get_connector("manual").kinds == set(ActionKey)  # a person can do anything


def test_the_panel_shows_the_connector_as_not_configured(client, investigating_case, t2, no_ldap):
    client.force_login(t2)
    html = client.get(reverse("containment:case_panel", args=[investigating_case.pk])).content.decode()
    assert "Not configured: LDAP is not configured" in html
    assert "(not configured)</option>" in html


def test_a_succeeded_action_ticks_its_checklist_step(investigating_case, t2, containment_settings):
    item = PlaybookItem.objects.filter(
        version_id=investigating_case.playbook_version_id, section="containment_step"
    ).first()
    step = investigating_case.steps.get(item=item)
    assert step.value == ""
    action = services.action_request(
        case=investigating_case, kind="block_ip", target="203.0.113.77", by=t2, playbook_item=item
    )
    assert execution.action_run(action_id=action.pk) == execution.SUCCEEDED
    step.refresh_from_db()
    assert step.value == "done"
    event = investigating_case.events.filter(verb="step_updated").latest("pk")
    assert event.data["answer_source"] == "containment" and event.data["action"] == action.pk


def test_a_manual_step_done_and_reopened_moves_its_checklist_step(
    investigating_case, t2, containment_settings
):
    item = PlaybookItem.objects.filter(
        version_id=investigating_case.playbook_version_id, section="containment_step"
    ).last()
    step = investigating_case.steps.get(item=item)
    action = services.action_request(
        case=investigating_case, kind="manual", target=item.text, by=t2, playbook_item=item
    )
    services.action_manual_update(action=action, by=t2, done=True)
    step.refresh_from_db()
    assert step.value == "done"
    services.action_manual_update(action=action, by=t2, done=False)
    step.refresh_from_db()
    assert step.value == ""


def test_a_cidr_with_host_bits_is_refused_naming_the_network_meant(client, investigating_case, t2):
    with pytest.raises(DomainError, match=r"did you mean 198\.51\.96\.0/20\?"):
        services.action_request(case=investigating_case, kind="block_ip", target="198.51.100.0/20", by=t2)
    client.force_login(t2)
    response = client.post(
        reverse("containment:request", args=[investigating_case.pk]),
        {"kind": "block_ip", "target": "198.51.100.0/20", "reason": "scan"},
    )
    assert "did you mean 198.51.96.0/20?" in response.content.decode()
    assert not ContainmentAction.objects.exists()
