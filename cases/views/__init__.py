"""HTML views for cases: thin function views calling cases.services (STYLE 3)."""

from .case_list import case_list
from .dashboard import dashboard, dashboard_queues
from .detail import case_detail, case_recommendation, case_step, case_timeline, comment_add
from .playbook import case_playbook_attach
from .evidence import evidence_download
from .profile import profile, token_create, token_revoke
from .transitions import case_transition

__all__ = [
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
    "profile",
    "token_create",
    "token_revoke",
]
