"""HTML views for cases: thin function views calling cases.services (STYLE 3)."""

from .case_list import case_bulk, case_list, saved_filter_create, saved_filter_delete, search
from .dashboard import dashboard, dashboard_queues
from .detail import (
    alert_detail,
    case_alerts,
    case_detail,
    case_recommendation,
    case_step,
    case_timeline,
    comment_add,
    suggestions_accept,
)
from .evidence import evidence_download
from .observables import observable_add, observable_update
from .playbook import case_playbook_attach
from .profile import profile, token_create, token_revoke
from .transitions import case_transition

__all__ = [
    "alert_detail",
    "case_alerts",
    "case_bulk",
    "case_detail",
    "case_list",
    "case_playbook_attach",
    "case_recommendation",
    "case_step",
    "case_timeline",
    "case_transition",
    "comment_add",
    "dashboard",
    "dashboard_queues",
    "evidence_download",
    "observable_add",
    "observable_update",
    "profile",
    "saved_filter_create",
    "saved_filter_delete",
    "search",
    "suggestions_accept",
    "token_create",
    "token_revoke",
]
