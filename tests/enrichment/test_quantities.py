"""Counts and sizes as alerts write them (enrichment.assistant.quantities), and the facts
read from sentences that write their counts in words."""

import re

import pytest

from enrichment.assistant import alert_reading as r
from enrichment.assistant import quantities as q

from .test_wording_outside_set import view


@pytest.mark.parametrize(
    ("written", "value"),
    [
        ("4,212", 4212),
        ("4\u202f212", 4212),
        ("4.2k", 4200),
        ("2.5M", 2_500_000),
        ("12 thousand", 12_000),
        ("twelve thousand", 12_000),
        ("eleven", 11),
        ("Twenty-five", 25),
        ("twenty five", 25),
        ("a dozen", 12),
        ("two dozen", 24),
        ("a thousand", 1000),
        ("two hundred and forty", 240),
        ("a", None),
    ],
)
def test_a_count_in_digits_or_words(written, value):
    assert q.number(written) == value


@pytest.mark.parametrize(
    ("sentence", "counted"),
    [
        ("Five failed logins", "Five"),
        ("ten thousand failed", "ten thousand"),
        ("12 thousand failed", "12 thousand"),
        ("someone failed", None),  # "one" inside a word
        ("alpha failed", None),
    ],
)
def test_count_matches_whole_number_words_only(sentence, counted):
    match = re.search(q.COUNT + r"\s+failed", sentence, re.IGNORECASE)
    assert (match and match.group(1)) == counted


def facts_of(sentence, kind):
    return [f.value for f in view(sentence).facts if f.kind == kind]


def test_counts_written_in_words_are_read():
    assert facts_of("Eleven failed password attempts for svc-backup.", r.FAILURES) == [11]
    assert facts_of("Failures on twenty-three distinct accounts.", r.ACCOUNTS) == [23]
    assert facts_of("Twelve thousand supplier rows were exported.", r.RECORDS) == [12_000]
    # Digits with a scale word were read as the digits alone before.
    assert facts_of("12 thousand supplier rows were exported.", r.RECORDS) == [12_000]


@pytest.mark.parametrize(
    ("amount", "unit", "size"),
    [("2.3", "GB", 2_300_000_000), ("3,2", "GiB", int(3.2 * 2**30)), ("1,200", "megabytes", 1_200_000_000)],
)
def test_sizes_in_bytes(amount, unit, size):
    assert q.size_in_bytes(amount, unit) == size
