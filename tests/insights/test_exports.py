"""The case list as CSV: the list's filters, streamed, formula cells neutralised."""

from __future__ import annotations

import csv
import io

import pytest

from soc.csv import safe_cell

pytestmark = pytest.mark.django_db


def _rows(response) -> list[list[str]]:
    assert response.streaming  # never built in memory
    return list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode())))


def test_csv_follows_the_filters(client, seed_playbook, make_case, l1):
    make_case(severity=4, title="Critical one")
    make_case(severity=1, title="Low one")
    client.force_login(l1)
    rows = _rows(client.get("/api/v1/cases/?format=csv&severity=4"))
    assert rows[0][:3] == ["Case", "Title", "Severity (1 low - 4 critical)"]
    assert [row[1] for row in rows[1:]] == ["Critical one"]
    assert len(_rows(client.get("/api/v1/cases/?format=csv"))) == 3


def test_csv_neutralises_formulas(client, seed_playbook, make_case, l1):
    make_case(title='=HYPERLINK("http://evil.example","x")')
    client.force_login(l1)
    rows = _rows(client.get("/api/v1/cases/?format=csv"))
    assert rows[1][1] == '\'=HYPERLINK("http://evil.example","x")'
    assert safe_cell("-12.5") == "-12.5"
    assert safe_cell("@SUM(A1)") == "'@SUM(A1)"


def test_csv_is_for_those_who_see_cases(client, outsider, db):
    client.force_login(outsider)
    assert client.get("/api/v1/cases/?format=csv").status_code == 403


def test_csv_query_count_does_not_grow(client, seed_playbook, make_case, l1, django_assert_max_num_queries):
    for _ in range(5):
        make_case()
    client.force_login(l1)
    with django_assert_max_num_queries(6):
        _rows(client.get("/api/v1/cases/?format=csv"))


def test_case_list_has_a_download_button_with_the_filters(client, seed_playbook, make_case, l1):
    client.force_login(l1)
    html = client.get("/cases/?severity=4&q=abc").content.decode()
    link = html.split('data-testid="case-csv"')[0].rsplit("<a ", 1)[1]
    assert "/api/v1/cases/?" in link and "format=csv" in link and "severity=4" in link and "q=abc" in link
