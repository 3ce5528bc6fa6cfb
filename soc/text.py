"""Text helpers every layer may use."""

import textwrap


def shorten(value, width: int) -> str:
    """Prose on one line, cut at a word boundary to at most `width` characters, ending in
    "…" when cut (a plain slice cuts mid-word: "initiat…"). A single word longer than
    `width` is cut."""
    value = " ".join(str(value).split())
    if len(value) <= width:
        return value
    cut = textwrap.shorten(value, width=width, placeholder="…")
    return cut if cut != "…" else value[: width - 1] + "…"
