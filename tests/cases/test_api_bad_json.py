"""Bodies the shared JSON parser (soc.parsers) refuses with 400 on every API endpoint, not
only the ingest ones: nesting too deep for Python's parser or deeper than MAX_DEPTH, and
U+0000 (which PostgreSQL cannot store in text or jsonb)."""

import pytest
from rest_framework.test import APIClient

from cases.models import CaseStep, Comment
from cases.services import workflow as wf
from cases.services.tokens import user_token_create
from soc.parsers import MAX_DEPTH
from tests.cases.workflow_support import question

pytestmark = pytest.mark.django_db

DEEP_FOR_PYTHON = "[" * 50_000 + "]" * 50_000
DEEP = '{"body": ' + "[" * (MAX_DEPTH + 1) + "]" * (MAX_DEPTH + 1) + "}"


@pytest.fixture
def case(seed_playbook, make_case, l1):
    case = make_case()
    wf.case_claim(case=case, by=l1)
    return case


@pytest.fixture
def api(l1):
    client = APIClient()
    _, plain = user_token_create(user=l1, name="tests", by=l1)
    client.credentials(HTTP_AUTHORIZATION=f"Token {plain}")
    return client


def send(api, method, url, raw: str):
    return getattr(api, method)(url, raw, content_type="application/json")


@pytest.mark.parametrize("raw", [DEEP_FOR_PYTHON, DEEP], ids=["recursion", "max-depth"])
def test_too_deep_json_is_400_on_comments_and_steps(api, case, raw):
    comments = f"/api/v1/cases/{case.pk}/comments/"
    step = question(case, "ip_reputation")
    for method, url in (("post", comments), ("patch", f"/api/v1/cases/{case.pk}/steps/{step.pk}/")):
        response = send(api, method, url, raw)
        assert response.status_code == 400, (url, response.content[:200])
        body = response.json()
        assert body["status"] == 400 and "nested" in body["detail"]
    assert not Comment.objects.exists()


def test_nesting_within_the_limit_reaches_the_serializer(api, case):
    raw = '{"body": ' + "[" * (MAX_DEPTH - 1) + "]" * (MAX_DEPTH - 1) + "}"
    response = send(api, "post", f"/api/v1/cases/{case.pk}/comments/", raw)
    assert response.status_code == 400
    assert "body" in response.json()["errors"]  # the field's own validation, not the parser


def test_nul_in_a_comment_or_a_step_note_is_400_and_stores_nothing(api, case):
    response = send(api, "post", f"/api/v1/cases/{case.pk}/comments/", '{"body": "a\\u0000b"}')
    assert response.status_code == 400
    assert "U+0000" in response.json()["detail"]
    assert not Comment.objects.exists()

    step = question(case, "ip_reputation")
    url = f"/api/v1/cases/{case.pk}/steps/{step.pk}/"
    response = send(api, "patch", url, '{"answer": "no", "note": "x\\u0000"}')
    assert response.status_code == 400
    assert CaseStep.objects.get(pk=step.pk).value == ""
    response = send(api, "patch", url, '{"answer": "no", "n\\u0000te": "x"}')  # in a key too
    assert response.status_code == 400


def test_an_escaped_backslash_before_u0000_is_plain_text(api, case):
    response = send(api, "post", f"/api/v1/cases/{case.pk}/comments/", '{"body": "path C:\\\\u0000x"}')
    assert response.status_code == 201
    assert Comment.objects.get().body == "path C:\\u0000x"
