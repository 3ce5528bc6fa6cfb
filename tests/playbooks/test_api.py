"""/api/v1/playbooks/: reads for analysts, import for editors, 403 for everyone else."""

import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from rest_framework.test import APIClient

from playbooks.models import Playbook, PlaybookItem, PlaybookVersion
from playbooks.services import current_version_for_technique, playbook_version_new_draft

pytestmark = pytest.mark.django_db

LIST = "/api/v1/playbooks/"
DETAIL = "/api/v1/playbooks/T1591.002/"
EXPORT = "/api/v1/playbooks/T1591.002/export"
IMPORT = "/api/v1/playbooks/import/"


def client_for(user=None):
    client = APIClient()
    if user is not None:
        client.force_authenticate(user)
    return client


def ingest_client(token):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    return client


@pytest.mark.parametrize("url", [LIST, DETAIL, EXPORT, EXPORT + "?format=json"])
def test_analysts_can_read(seed_playbook, l1, t2, manager, url):
    for user in (l1, t2, manager):
        assert client_for(user).get(url).status_code == 200


@pytest.mark.parametrize("url", [LIST, DETAIL, EXPORT + "?format=markdown", EXPORT + "?format=json"])
def test_reads_are_refused_to_outsiders_anonymous_and_ingest_tokens(
    seed_playbook, outsider, ingest_source, url
):
    assert client_for(outsider).get(url).status_code == 403
    assert client_for().get(url).status_code in (401, 403)
    response = ingest_client(ingest_source[1]).get(url)
    assert response.status_code == 403
    assert response.json()["status"] == 403


def test_import_is_refused_to_analysts_outsiders_and_ingest_tokens(
    seed_text, l1, t2, outsider, ingest_source
):
    body = {"text": seed_text, "filename": "seed.md", "publish": True}
    for user in (l1, t2, outsider):
        assert client_for(user).post(IMPORT, body, format="json").status_code == 403
    assert ingest_client(ingest_source[1]).post(IMPORT, body, format="json").status_code == 403
    assert client_for().post(IMPORT, body, format="json").status_code in (401, 403)
    assert not Playbook.objects.exists()


def test_manager_imports_then_the_same_content_is_unchanged(seed_text, manager):
    body = {"text": seed_text, "filename": "seed.md", "publish": True}
    first = client_for(manager).post(IMPORT, body, format="json")
    assert first.status_code == 201
    assert first.json() == {
        "technique_id": "T1591.002",
        "version": 1,
        "status": "published",
        "created": True,
        "published": True,
        "warnings": [],
    }
    assert PlaybookVersion.objects.get().created_by == manager
    again = client_for(manager).post(IMPORT, body, format="json")
    assert again.status_code == 200
    assert again.json()["created"] is False


def test_import_accepts_a_multipart_upload(seed_text, admin_user):
    upload = SimpleUploadedFile("T1591.002.md", seed_text.encode("utf-8"), content_type="text/markdown")
    response = client_for(admin_user).post(IMPORT, {"file": upload}, format="multipart")
    assert response.status_code == 201
    assert response.json()["status"] == "draft"


def test_a_malformed_import_answers_400_naming_the_problem_and_saves_nothing(manager):
    response = client_for(manager).post(
        IMPORT, {"text": "# Title - T1591002\n\nno table\n", "filename": "bad.md"}, format="json"
    )
    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "invalid_playbook"
    assert body["detail"] == "bad.md: no markdown table of playbook rows was found."
    assert not Playbook.objects.exists()


def test_detail_has_items_grouped_by_section(seed_playbook, l1):
    body = client_for(l1).get(DETAIL).json()
    assert (body["technique_id"], body["version"], body["status"]) == ("T1591.002", 1, "published")
    assert body["tactic_id"] == "TA0043"
    assert list(body["sections"]) == [
        "log_source",
        "key_indicator",
        "question",
        "escalation_criterion",
        "l1_step",
        "t2_action",
        "containment_step",
    ]
    assert body["sections"]["question"][0] == {
        "order": 1,
        "text": "Does the activity come from legitimate or known IPs?",
        "assist": "ip_reputation",
        "action": "",
    }
    assert [i["action"] for i in body["sections"]["containment_step"]] == [
        "disable_account",
        "block_ip",
        "manual",
        "manual",
    ]
    assert body["attack"] == {
        "known": True,
        "name": "Gather Victim Org Information: Business Relationships",
        "tactics": ["TA0043"],
        "attack_version": "18.1",
    }
    assert [v["number"] for v in body["versions"]] == [1]


def test_detail_of_another_version_and_404s(seed_playbook, manager, l1):
    draft = playbook_version_new_draft(version=seed_playbook, by=manager)
    assert client_for(l1).get(DETAIL + "?version=2").json()["status"] == "draft"
    assert client_for(l1).get("/api/v1/playbooks/T1591002/").json()["version"] == 1
    assert client_for(l1).get(DETAIL + "?version=9").status_code == 404
    assert client_for(l1).get(DETAIL + "?version=x").status_code == 404
    assert client_for(l1).get("/api/v1/playbooks/T1592/").status_code == 404
    assert client_for(l1).get("/api/v1/playbooks/nonsense/").status_code == 404
    assert draft.number == 2


def test_export_markdown_reimports_unchanged_and_json_parses(seed_playbook, l1, manager):
    response = client_for(l1).get(EXPORT + "?format=markdown")
    assert response["Content-Type"].startswith("text/markdown")
    assert 'filename="T1591.002-v1.md"' in response["Content-Disposition"]
    text = response.content.decode()
    again = client_for(manager).post(
        IMPORT, {"text": text, "filename": "x.md", "publish": True}, format="json"
    )
    assert again.json()["created"] is False
    document = json.loads(client_for(l1).get(EXPORT + "?format=json").content)
    assert document["sections"]["question"][3]["assist"] == "partner_match"
    cacao = json.loads(client_for(l1).get(EXPORT + "?format=cacao").content)
    assert cacao["spec_version"] == "cacao-2.0"
    assert client_for(l1).get(EXPORT + "?format=docx").status_code == 404


def test_list_counts_cases_and_filters(seed_playbook, make_case, l1):
    make_case()
    body = client_for(l1).get(LIST).json()
    assert body["count"] == 1
    row = body["results"][0]
    assert row["technique_id"] == "T1591.002"
    assert row["current_version"] == 1
    assert row["case_count"] == 1
    assert client_for(l1).get(LIST + "?tactic=TA0043").json()["count"] == 1
    assert client_for(l1).get(LIST + "?tactic=reconnaissance").json()["count"] == 1
    assert client_for(l1).get(LIST + "?tactic=TA0040").json()["count"] == 0
    assert client_for(l1).get(LIST + "?q=business relationships").json()["count"] == 1
    assert client_for(l1).get(LIST + "?q=T1591002").json()["count"] == 1
    assert client_for(l1).get(LIST + "?q=T1003").json()["count"] == 0


def test_the_api_offers_no_way_to_change_a_published_version(seed_playbook, admin_user):
    client = client_for(admin_user)
    for method in ("put", "delete"):
        assert getattr(client, method)(DETAIL, {"name": "x"}, format="json").status_code == 405
    # PATCH changes only the coverage (routing): content fields are refused, never applied.
    assert client.patch(DETAIL, {"name": "x"}, format="json").status_code == 400
    assert client.post(DETAIL, {"name": "x"}, format="json").status_code == 405
    stored = PlaybookVersion.objects.get(pk=seed_playbook.pk)
    assert stored.name == seed_playbook.name
    assert current_version_for_technique("T1591.002") == seed_playbook
    assert PlaybookItem.objects.filter(version=seed_playbook).count() == 25


def test_playbook_endpoints_are_in_the_openapi_schema(l1):
    schema = client_for(l1).get("/api/schema/?format=json")
    assert schema.status_code == 200
    paths = json.loads(schema.content)["paths"]
    assert {
        "/api/v1/playbooks/",
        "/api/v1/playbooks/import/",
        "/api/v1/playbooks/{technique_id}/",
        "/api/v1/playbooks/{technique_id}/export",
    } <= set(paths)
