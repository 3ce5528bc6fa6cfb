from .alerts import Alert, AlertObservable, Observable, Severity
from .cases import Case, CaseEvent, CaseObservable, CaseStep, Comment
from .saved_filters import SavedFilter
from .tokens import ApiToken, IngestSource

__all__ = [
    "Alert",
    "AlertObservable",
    "ApiToken",
    "Case",
    "CaseEvent",
    "CaseObservable",
    "CaseStep",
    "Comment",
    "IngestSource",
    "Observable",
    "SavedFilter",
    "Severity",
]
