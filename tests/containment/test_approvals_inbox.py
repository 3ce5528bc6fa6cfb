"""The approvals inbox: every pending approval across cases for approvers, decided inline."""

from __future__ import annotations

import pytest
from django.urls import reverse

from containment.models import ContainmentAction
from containment.services import action_request

pytestmark = pytest.mark.django_db

HTMX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture
def pending(investigating_case, t2, containment_settings):
    return action_request(
        case=investigating_case, kind="disable_account", target="m.keller", reason="Impersonation", by=t2
    )


def test_the_inbox_lists_pending_approvals_with_their_reasons(client, pending, manager):
    assert pending.status == ContainmentAction.Status.PROPOSED
    client.force_login(manager)
    html = client.get(reverse("containment:approvals")).content.decode()
    assert pending.case.reference in html and "m.keller" in html
    assert "It disables an account" in html and "disable_account" not in html.split("<main")[1]
    # The navigation bar counts them.
    nav = client.get(reverse("cases:dashboard")).content.decode()
    assert 'aria-label="1 waiting"' in nav


def test_approve_and_reject_inline(client, pending, investigating_case, manager, t2):
    client.force_login(manager)
    url = reverse("containment:approvals_decide", args=[pending.pk, "approve"])
    response = client.post(url, **HTMX)
    assert response.status_code == 200
    assert "Nothing is waiting for approval." in response.content.decode()
    pending.refresh_from_db()
    assert pending.status != ContainmentAction.Status.PROPOSED
    other = action_request(
        case=investigating_case, kind="block_ip", target="198.51.96.0/20", by=t2, expires_in=None
    )
    response = client.post(
        reverse("containment:approvals_decide", args=[other.pk, "reject"]), {"reason": "Too wide"}
    )
    assert response.status_code == 302
    other.refresh_from_db()
    assert other.status == ContainmentAction.Status.REJECTED


def test_only_approvers_see_the_inbox_and_nobody_approves_their_own(client, pending, l1, t2, manager):
    client.force_login(t2)
    assert client.get(reverse("containment:approvals")).status_code == 403
    assert (
        client.post(reverse("containment:approvals_decide", args=[pending.pk, "approve"])).status_code == 403
    )
    client.force_login(l1)
    assert client.get(reverse("containment:approvals")).status_code == 403
    pending.refresh_from_db()
    assert pending.status == ContainmentAction.Status.PROPOSED


def test_a_second_t2_approves_where_the_setting_is_on(client, pending, t2, django_user_model, settings):
    from soc.roles import Role
    from tests.conftest import make_user

    settings.CONTAINMENT_SECOND_T2_APPROVAL = True
    other = make_user(django_user_model, "erin_t2", Role.T2)
    client.force_login(other)
    assert pending.case.reference in client.get(reverse("containment:approvals")).content.decode()
    client.force_login(t2)
    assert "Your own request" in client.get(reverse("containment:approvals")).content.decode()


def test_the_admin_list_of_actions_does_not_403_a_manager(client, pending, manager):
    client.force_login(manager)
    assert client.get(reverse("admin:containment_containmentaction_changelist")).status_code == 200
