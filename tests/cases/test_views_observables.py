"""Observables by hand: added normalised like ingested ones, flagged, refused politely."""

from __future__ import annotations

import pytest
from django.urls import reverse

from cases.models import CaseObservable, Observable
from cases.services import workflow as wf

pytestmark = pytest.mark.django_db

HTMX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture
def case(seed_playbook, make_case, l1):
    case = make_case()
    wf.case_claim(case=case, by=l1)
    return case


def add(client, case, type_, value, **extra):
    return client.post(
        reverse("cases:observable_add", args=[case.pk]),
        {"observable-type": type_, "observable-value": value},
        **extra,
    )


def test_an_added_observable_is_normalised_like_an_ingested_one(client, case, l1):
    client.force_login(l1)
    response = add(client, case, "domain", "Evil[.]Example.COM.", **HTMX)
    assert response.status_code == 200
    assert "evil.example.com" in response.content.decode()
    obs = Observable.objects.get(type="domain", value="evil.example.com")
    assert CaseObservable.objects.filter(case=case, observable=obs).exists()
    assert case.events.filter(verb="observable_added", data__value="evil.example.com").exists()
    # The IP ingestion already knows is the same row.
    add(client, case, "ip", "::ffff:198.51.100.9")
    assert Observable.objects.filter(type="ip", value="198.51.100.9").count() == 1


def test_bad_values_are_refused_beside_the_field_keeping_the_input(client, case, l1):
    client.force_login(l1)
    response = add(client, case, "ip", "not-an-ip")
    assert response.status_code == 400
    html = response.content.decode()
    assert "Not a valid ip address." in html and 'value="not-an-ip"' in html
    response = add(client, case, "cidr", "198.51.100.0/20", **HTMX)
    assert response.status_code == 200  # htmx swaps only 2xx: the fragment shows the error
    assert "did you mean 198.51.96.0/20?" in response.content.decode()
    assert not Observable.objects.filter(type="cidr").exists()
    response = add(client, case, "ip", "203.0.113.77", **HTMX)
    assert "Already on this case." in response.content.decode()


def test_flags_ioc_tlp_tags_and_never_correlate(client, case, l1):
    obs = case.observables.get(value="203.0.113.77")
    client.force_login(l1)
    prefix = f"flag{obs.pk}"
    response = client.post(
        reverse("cases:observable_update", args=[case.pk, obs.pk]),
        {
            f"{prefix}-is_ioc": "on",
            f"{prefix}-tlp": "amber",
            f"{prefix}-tags": "VPS, scanner,vps",
            f"{prefix}-never_correlate": "on",
        },
        **HTMX,
    )
    assert response.status_code == 200
    obs.refresh_from_db()
    assert (obs.is_ioc, obs.tlp, obs.tags, obs.never_correlate) == (True, "amber", ["vps", "scanner"], True)
    assert "TLP:AMBER" in response.content.decode()
    assert case.events.filter(verb="observable_flagged").count() == 1
    response = client.post(
        reverse("cases:observable_update", args=[case.pk, obs.pk]), {f"{prefix}-tlp": "purple"}
    )
    assert response.status_code == 400
    assert "The observable was not changed" in response.content.decode()


def test_observables_of_other_cases_and_other_roles(client, case, make_case, l1, outsider):
    other = make_case(technique_ids=["T1110"])
    foreign = other.observables.first()
    client.force_login(l1)
    assert client.post(reverse("cases:observable_update", args=[case.pk, foreign.pk]), {}).status_code == 404
    client.force_login(outsider)
    assert add(client, case, "ip", "198.51.100.1").status_code == 403


def test_the_flag_form_is_fetched_when_opened(client, case, l1, t2):
    obs = case.observables.get(value="203.0.113.77")
    url = reverse("cases:observable_update", args=[case.pk, obs.pk])
    client.force_login(l1)
    html = client.get(reverse("cases:detail", args=[case.pk])).content.decode()
    assert f'hx-get="{url}"' in html and f'id="flag{obs.pk}-tlp"' not in html
    assert f'id="flag{obs.pk}-tlp"' in client.get(url, **HTMX).content.decode()
    assert "<h1" in client.get(url).content.decode()
