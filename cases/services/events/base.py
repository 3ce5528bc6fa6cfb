"""What every timeline event shares: the row, saving it, the verb registry, and the
generic renderer for verbs whose line is their summary or their scalar data."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace

from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString

from cases.ingest.store import new_row
from cases.models import Case, CaseEvent, CaseStep, IngestSource

Verb = CaseEvent.Verb
Renderer = Callable[[CaseEvent, dict], SafeString]

STATUS_LABELS = dict(Case.Status.choices)
RESOLUTION_LABELS = dict(Case.Resolution.choices)
VALUE_LABELS = dict(CaseStep.Value.choices)


@dataclass(frozen=True, slots=True)
class EventType:
    """A verb's builders (each returns an unsaved row of that verb) and its renderer
    (event, data -> one line of HTML, every piece of data escaped)."""

    verb: str
    builders: tuple[Callable[..., CaseEvent], ...]
    render: Renderer


REGISTRY: dict[str, EventType] = {}


def builds(verb: str):
    """Declare the decorated function a builder of `verb` events (a verb may have several)."""

    def declare(builder: Callable[..., CaseEvent]) -> Callable[..., CaseEvent]:
        event_type = REGISTRY.get(verb) or EventType(verb, (), render_generic)
        REGISTRY[verb] = replace(event_type, builders=(*event_type.builders, builder))
        return builder

    return declare


def renders(verb: str):
    """Declare the decorated function the renderer of `verb` events, once; a verb without
    one renders generically. Declared after the verb's builders, in the same module."""

    def declare(render: Renderer) -> Renderer:
        event_type = REGISTRY.get(verb)
        if event_type is None or not event_type.builders:
            raise ValueError(f"The timeline verb {verb!r} has no builder to render for.")
        if event_type.render is not render_generic:
            raise ValueError(f"The timeline verb {verb!r} has two renderers.")
        REGISTRY[verb] = replace(event_type, render=render)
        return render

    return declare


def row(case: Case, verb: str, *, data: dict, by=None, source: IngestSource | None = None) -> CaseEvent:
    """An unsaved event row: `by` is the acting user, `source` the ingest source; neither
    means Vigil itself. Only the builders call this."""
    actor = by if by is not None and getattr(by, "is_authenticated", False) else None
    return new_row(CaseEvent, case=case, verb=verb, actor=actor, actor_source=source, data=data)


def given(details: Mapping, shape: type) -> dict:
    """The optional details of an event that were given (None leaves one out). `shape` is
    the verb's TypedDict of details (its keyword arguments' types, through `Unpack`); a name
    it does not declare is refused at run time too, as an unknown keyword argument would be."""
    unknown = details.keys() - shape.__annotations__.keys()
    if unknown:
        raise TypeError(f"Unexpected event details: {', '.join(sorted(unknown))}.")
    return {key: value for key, value in details.items() if value is not None}


def record(event: CaseEvent) -> CaseEvent:
    """Append one built event (CaseEvent is append-only). Call inside the transaction
    that made the change."""
    event.save(force_insert=True)
    return event


def render_event(event: CaseEvent) -> SafeString:
    """What happened, in one line of HTML: the verb's renderer, or the generic one for a
    verb no module registers. Old rows may lack any key; a non-dict payload reads as {}."""
    data = event.data if isinstance(event.data, dict) else {}
    event_type = REGISTRY.get(event.verb)
    return (event_type.render if event_type else render_generic)(event, data)


# --- rendering helpers ---------------------------------------------------------------


def join(*parts) -> SafeString:
    """The parts side by side, each escaped unless already safe."""
    return format_html_join("", "{}", ((part,) for part in parts))


def text(data: dict, key: str, default: str = "") -> str:
    """A value of the payload as text ('' for a missing or empty one)."""
    value = data.get(key)
    return default if value in (None, "") else str(value)


def status_label(value) -> str:
    return STATUS_LABELS.get(value, str(value)) if isinstance(value, str) else str(value)


def value_label(value) -> str:
    if not value:
        return "Not set"
    return VALUE_LABELS.get(value, str(value)) if isinstance(value, str) else str(value)


def resolution_label(value) -> str:
    return RESOLUTION_LABELS.get(value, str(value)) if isinstance(value, str) else str(value or "")


def arrow(data: dict) -> SafeString:
    """ " (from → to)" for a status change, when the payload has both."""
    if data.get("from") and data.get("to"):
        return format_html(" ({} → {})", status_label(data["from"]), status_label(data["to"]))
    return join()


def render_generic(event: CaseEvent, data: dict) -> SafeString:
    """ "Label: summary" (with its reason, error or note) when the payload has a summary,
    else the label with the payload's scalar values."""
    if data.get("summary"):
        suffixes = (
            format_html(" — {}: {}", key, data[key])
            for key in ("reason", "error", "note")
            if isinstance(data.get(key), str) and data[key]
        )
        return join(format_html("{}: {}", event.verb_label, data["summary"]), *suffixes)
    details = "; ".join(
        f"{k.replace('_', ' ')}: {v}" for k, v in data.items() if isinstance(v, str | int | float) and v != ""
    )
    return format_html("{} — {}", event.verb_label, details) if details else join(event.verb_label)
