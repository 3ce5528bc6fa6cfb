import json

import pytest


@pytest.fixture
def post(client, ingest_source):
    """post(format, body): the body sent to /api/v1/alerts/<format>/ with a valid token."""

    def post(fmt: str, body):
        return client.post(
            f"/api/v1/alerts/{fmt}/",
            json.dumps(body),
            content_type="application/json",
            HTTP_AUTHORIZATION=f"Token {ingest_source[1]}",
        )

    return post
