"""Schemathesis over the whole OpenAPI schema: every operation, with each role's token and
an ingest token, with generated (bounded) inputs; any 5xx fails.

Requests go through the WSGI application in this process, against the test database
holding a published playbook and a case, so ids and technique names are sometimes real.
VIGIL_SCHEMATHESIS_EXAMPLES sets the examples per operation (default 6).
"""

import os

import pytest
import schemathesis
from django.core.wsgi import get_wsgi_application
from hypothesis import HealthCheck, settings

pytestmark = pytest.mark.django_db

EXAMPLES = int(os.environ.get("VIGIL_SCHEMATHESIS_EXAMPLES", "6"))
ROLES = ["l1", "t2", "manager", "admin_user", "outsider"]


@pytest.fixture(autouse=True)
def _keep_the_test_connection():
    """Calling the WSGI application fires request_started/finished, whose
    close_old_connections would close the test transaction's connection on PostgreSQL
    (Django's test client disconnects it the same way)."""
    from django.core.signals import request_finished, request_started
    from django.db import close_old_connections

    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@pytest.fixture
def tokens(request, ingest_source, seed_playbook, make_case, l1):
    from cases.services.tokens import user_token_create
    from cases.services.workflow import case_claim

    case_claim(case=make_case(), by=l1)
    made = {}
    for role in ROLES:
        user = request.getfixturevalue(role)
        made[role] = user_token_create(user=user, name="schemathesis", by=user)[1]
    made["ingest"] = ingest_source[1]
    return made


def _load_schema():
    """The schema drf-spectacular serves at /api/schema/, generated here (no request needed),
    with requests sent to the WSGI application of this process."""
    from drf_spectacular.generators import SchemaGenerator

    loaded = schemathesis.openapi.from_dict(SchemaGenerator().get_schema(request=None, public=True))
    loaded.app = get_wsgi_application()
    return loaded


schema = _load_schema()


@schema.parametrize()
@settings(
    max_examples=EXAMPLES,
    deadline=None,
    suppress_health_check=list(HealthCheck),
    derandomize=True,
)
def test_no_operation_answers_5xx_for_any_role(case, tokens):
    for who, token in tokens.items():
        response = case.call(headers={"Authorization": f"Token {token}"})
        assert response.status_code < 500, (who, case.method, case.formatted_path, response.text[:500])
