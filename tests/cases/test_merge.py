"""Merging a case into another: what moves, what shows, who may."""

from __future__ import annotations

import pytest
from django.urls import reverse

from cases.models import Case, CaseObservable
from cases.services import workflow as wf
from cases.services.comments import comment_add
from cases.services.merge import MERGED, case_merge
from soc.errors import Conflict, DomainError, NotAllowed
from tests.cases.workflow_support import answer, question

pytestmark = pytest.mark.django_db


@pytest.fixture
def pair(seed_playbook, make_case, l1):
    target, source = make_case(title="Target"), make_case(title="Source", severity=4)
    wf.case_claim(case=source, by=l1)
    wf.case_claim(case=target, by=l1)
    return Case.objects.get(pk=target.pk), Case.objects.get(pk=source.pk)


def test_merge_moves_alerts_observables_and_missing_answers(client, pair, l1):
    target, source = pair
    answer(target, l1, ip_reputation="no")
    answer(source, l1, ip_reputation="yes", related_activity="yes")
    comment_add(case=source, body="Seen from the partner's VPN too", by=l1)
    case_merge(source=source, target=target, by=l1, note="Same scan.")

    target.refresh_from_db()
    source.refresh_from_db()
    assert target.alerts.count() == 2 and target.alert_count == 2 and source.alert_count == 0
    assert target.severity == 4
    values = set(CaseObservable.objects.filter(case=target).values_list("observable__value", flat=True))
    assert {"203.0.113.77", "2001:db8::1"} <= values
    assert question(target, "ip_reputation").value == "no"  # the target's own answer wins
    assert question(target, "related_activity").value == "yes"  # filled from the source
    assert (source.status, source.resolution, source.duplicate_of_id) == ("closed", "duplicate", target.pk)
    assert "Merged into" in source.resolution_note and "Same scan." in source.resolution_note
    assert target.events.filter(verb=MERGED, data__role="target").count() == 1
    assert source.events.filter(verb=MERGED, data__role="source").count() == 1
    # The target's page shows the source's comment and timeline.
    client.force_login(l1)
    html = client.get(reverse("cases:detail", args=[target.pk])).content.decode()
    assert "Seen from the partner&#x27;s VPN too" in html or "Seen from the partner's VPN too" in html
    assert f"on {source.reference}" in html


def test_merge_into_itself_or_a_closed_case_is_refused(pair, l1):
    target, source = pair
    with pytest.raises(DomainError):
        case_merge(source=target, target=target, by=l1)
    wf.case_close(case=target, by=l1, resolution="duplicate", duplicate_of=source, note="dup")
    with pytest.raises(Conflict):
        case_merge(source=source, target=Case.objects.get(pk=target.pk), by=l1)


def test_merge_needs_the_right_to_close_the_source(pair, l1_other, outsider):
    target, source = pair
    with pytest.raises(NotAllowed):
        case_merge(source=source, target=target, by=l1_other)
    # Someone without access to cases cannot even find them.
    with pytest.raises(DomainError):
        case_merge(source=source, target=target, by=outsider)
    assert Case.objects.get(pk=source.pk).status == Case.Status.TRIAGE
