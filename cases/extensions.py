"""What the apps above cases plug into cases, so that cases never imports them.

- Enrichment: ingestion and playbook attachment send work through `ENRICH_ALERT` and
  `REFRESH_CASE` (soc.hooks.TaskHook); the enrichment app provides both tasks.
- The case page: `register_case_panel` adds a panel loaded by htmx from the app's own URL
  (containment's panel).
- The case detail API: `register_case_detail_field` adds a field to
  `cases.api.serializers.CaseDetailOutput` and the function loading its value
  (containment's actions).

The upper apps register in their AppConfig.ready(); the system check below refuses to
start when a hook has no provider.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.core import checks
from django.dispatch import Signal

from soc.hooks import TaskHook

ENRICH_ALERT = TaskHook("enrich a new alert and refresh its case (one argument: the alert id)")
REFRESH_CASE = TaskHook("re-enrich one case and refresh its suggestions (one argument: the case id)")

# Sent by the ingest views once a request is answered: `source` (the ingest source's name,
# None when no valid token), `response` and `seconds` (the whole handling). Instrumentation
# above cases (insights' Prometheus counters) listens; a receiver must never raise.
ingest_request_handled = Signal()


@dataclass(frozen=True)
class CasePanel:
    """A section of the case page whose body the app serves at `url_name` (one argument:
    the case's pk). `open_for(user, case)` says whether it starts expanded."""

    key: str
    title: str
    url_name: str
    open_for: Callable[[Any, Any], bool]


@dataclass(frozen=True)
class CaseDetailField:
    """A field of the case detail API: `field()` builds the DRF field (read from
    `page_extensions[name]`), `load(case)` its value for one case."""

    name: str
    field: Callable[..., Any]
    load: Callable[[Any], Any]


_panels: dict[str, CasePanel] = {}
_detail_fields: dict[str, CaseDetailField] = {}


def register_case_panel(panel: CasePanel) -> None:
    _panels[panel.key] = panel


def case_panels() -> list[CasePanel]:
    return list(_panels.values())


def register_case_detail_field(field: CaseDetailField) -> None:
    _detail_fields[field.name] = field


def case_detail_fields() -> list[CaseDetailField]:
    return list(_detail_fields.values())


def case_detail_values(case) -> dict[str, Any]:
    """The registered fields' values for this case (CaseDetailOutput reads them)."""
    return {field.name: field.load(case) for field in _detail_fields.values()}


@checks.register()
def check_hooks_provided(**kwargs) -> list[checks.Error]:
    return [
        checks.Error(f"No installed app provides the task to {hook.purpose}.", id="cases.E001")
        for hook in (ENRICH_ALERT, REFRESH_CASE)
        if not hook.provided
    ]
