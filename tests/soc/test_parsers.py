"""The checks the JSON parsers run on a parsed body: the byte pre-checks that let them
skip a walk may say "maybe" when the answer is no, never "no" when it is yes; the
containers-only depth walk is exact."""

import json

from hypothesis import given
from hypothesis import strategies as st

from soc.parsers import may_be_deeper_than, may_contain_nul, nested_deeper_than

# Strings full of what the byte scan must not be fooled by: brackets, quotes, backslashes.
TRICKY_TEXT = st.text(alphabet='[]{}"\\,:ab\x00', max_size=8)
JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | TRICKY_TEXT,
    lambda children: st.lists(children, max_size=3) | st.dictionaries(TRICKY_TEXT, children, max_size=3),
    max_leaves=40,
)


def depth(value) -> int:
    if isinstance(value, dict):
        return 1 + max((depth(v) for v in value.values()), default=0)
    if isinstance(value, list):
        return 1 + max((depth(v) for v in value), default=0)
    return 0


@given(JSON_VALUES, st.integers(min_value=0, max_value=12))
def test_depth_walk_is_exact_and_its_precheck_never_misses(value, limit):
    deeper = depth(value) > limit
    assert nested_deeper_than(value, limit) == deeper
    if deeper:
        assert may_be_deeper_than(json.dumps(value).encode(), limit)


def has_nul(value) -> bool:
    if isinstance(value, str):
        return "\x00" in value
    if isinstance(value, dict):
        return any(has_nul(k) or has_nul(v) for k, v in value.items())
    if isinstance(value, list):
        return any(has_nul(v) for v in value)
    return False


@given(JSON_VALUES)
def test_nul_precheck_never_misses_a_nul(value):
    body = json.dumps(value).encode()
    if has_nul(value):
        assert may_contain_nul(body)
