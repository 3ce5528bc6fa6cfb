"""Template helpers for the case pages.

Everything here returns plain strings, which templates autoescape, except ``markdown``
(nh3-sanitized HTML, cases.services.comments), ``event_text`` (HTML with every value
escaped, cases.services.events) and ``local_time`` (format_html).
"""

from __future__ import annotations

import json
from urllib.parse import urlencode

from django import template
from django.urls import reverse
from django.utils import timezone
from django.utils.dateformat import format as date_format
from django.utils.html import format_html
from django.utils.safestring import SafeString

from cases.models import Case, CaseEvent, CaseStep
from cases.services.comments import render_markdown
from cases.services.events import render_event
from playbooks.registry import CASE_SCOPED_ASSISTS
from soc.text import shorten

register = template.Library()

STATUS_LABELS = dict(Case.Status.choices)
VALUE_LABELS = dict(CaseStep.Value.choices)


@register.filter
def pretty_json(value) -> str:
    """Indented JSON as text (escaped by the template like any other text)."""
    try:
        return json.dumps(value, indent=2, ensure_ascii=False, sort_keys=False, default=str)
    except (TypeError, ValueError):
        return str(value)


@register.filter
def markdown(value) -> str:
    return render_markdown(value or "")


@register.filter
def value_label(value: str) -> str:
    return VALUE_LABELS.get(value or "", value) if value else "Not set"


@register.filter
def status_label(value: str) -> str:
    return STATUS_LABELS.get(value, value)


@register.filter(name="shorten")
def shorten_filter(value, width: int) -> str:
    """{{ text|shorten:60 }}: soc.text.shorten (cut at a word, never inside one)."""
    return shorten(value, width)


@register.filter
def evidence_text(item) -> str:
    """One evidence entry of an assistant suggestion, as a line of text."""
    if isinstance(item, dict):
        # The assistant's shape: which observable, which list/partner/check, what it found.
        if item.get("observable") or item.get("source"):
            subject = " · ".join(str(item[k]) for k in ("observable", "source") if item.get(k))
            return f"{subject}: {item['detail']}" if item.get("detail") else subject
        for key in ("summary", "text", "detail", "description"):
            if item.get(key):
                return str(item[key])
        return "; ".join(f"{k}: {v}" for k, v in item.items() if not isinstance(v, dict | list))
    return str(item)


@register.filter
def enrichment_items(enrichment) -> list[dict]:
    """[{key, verdict, summary}] from Observable.enrichment ({assist_key: {...}}), or for a
    CaseObservable its observable's enrichment with the case-scoped results on top (so a
    case page never shows evidence computed over another case's alerts)."""
    if hasattr(enrichment, "observable") and hasattr(enrichment, "enrichment"):
        scoped = enrichment.enrichment if isinstance(enrichment.enrichment, dict) else {}
        shared = (
            enrichment.observable.enrichment if isinstance(enrichment.observable.enrichment, dict) else {}
        )
        enrichment = {
            **{k: v for k, v in shared.items() if k not in CASE_SCOPED_ASSISTS},
            **scoped,
        }
    if not isinstance(enrichment, dict):
        return []
    items = []
    for key, result in sorted(enrichment.items()):
        if isinstance(result, dict):
            items.append(
                {
                    "key": key.replace("_", " "),
                    "verdict": str(result.get("verdict", "")),
                    "summary": str(result.get("summary", "")),
                }
            )
    return items


@register.filter
def event_text(event: CaseEvent) -> SafeString:
    """What happened, in one line (its verb's renderer, which escapes every value)."""
    return render_event(event)


@register.simple_tag
def query_with(params, **changes) -> str:
    """The current query string with some parameters replaced (e.g. sort, page)."""
    query = params.copy()
    for key, value in changes.items():
        if value in (None, ""):
            query.pop(key, None)
        else:
            query[key] = value
    return query.urlencode()


@register.filter
def sort_param(current, field: str) -> str:
    """The ?o= value for a column header: `field` (its default direction), or its reverse
    when the list is already sorted that way."""
    if current and current == field:
        return field[1:] if field.startswith("-") else f"-{field}"
    return field


@register.filter
def evidence_href(item, index) -> str:
    """Where one evidence entry points: its alert's page, or its observable's row on the
    case page ("" when it names neither). `index` comes from cases.case_page.evidence_index."""
    if not isinstance(item, dict) or not isinstance(index, dict):
        return ""
    alert = item.get("alert") or item.get("alert_id")
    if isinstance(alert, int) or (isinstance(alert, str) and alert.isdigit()):
        return reverse("cases:alert", args=[index["case"], int(alert)])
    label = item.get("observable")
    pk = index["observables"].get(label) if isinstance(label, str) else None
    return f"#observable-{pk}" if pk else ""


@register.simple_tag
def alert_query(filters: dict, page) -> str:
    """The case page's alert query string: its filters and a page number."""
    params = {k: v for k, v in (filters or {}).items() if v}
    params["alerts_page"] = page
    return urlencode(params)


@register.simple_tag
def local_time(at, seconds: bool = False) -> str:
    """A <time> element: 24-hour, in the active (the user's) time zone, with its name."""
    if not at:
        return "—"
    local = timezone.localtime(at)
    text = date_format(local, "Y-m-d H:i:s T" if seconds else "Y-m-d H:i T")
    return format_html('<time datetime="{}">{}</time>', local.isoformat(), text)
