"""What a product says about its own detection, which the assistant weighs against the
rules instead of taking as a finding: a lookalike claim (the rules define lookalikes), a
sync's paging.
"""

from __future__ import annotations

import re

_I = re.IGNORECASE

# Paging through a result set ("cursor pages 1..46", "paginated through"): a routine sync's
# shape when the alert states the run is routine and within its baseline.
PAGING = re.compile(
    r"\b(?:(?:cursor |offset |result )?pages?\s*=?\s*#?\d+\s*(?:\.\.|to|-|\u2013|through|thru)\s*\d+|paginat\w*(?: through)?)",
    _I,
)
# A product's claim that a domain looks like another ("sender domain resembles partner
# quorra.io", "suspected lookalike sender domain", "fuzzy brand match"): the assistant
# checks lookalikes itself (Q3).
SIMILARITY_CLAIM = re.compile(
    r"\b(resembl\w*|similar(?:ity)?\b|look-?alike|fuzzy|brand[- ]?(?:match\w*|similarity)|impostor (?:classifier|score)"
    r"|homoglyph\w*|typo-?squat\w*|cousin domain)",
    _I,
)
# The domain such a claim names as imitated: "resembles partner quorra.io".
IMITATED_DOMAIN = re.compile(
    r"\b(?:resembl\w*|similar to|imitat\w*|impersonat\w*|look-?alike of|mimic\w*)\s+(?:[\w-]+\s+){0,2}?"
    r"((?:[a-z0-9-]+\.)+[a-z]{2,})\b",
    _I,
)
