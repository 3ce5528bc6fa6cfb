from .alerts import Alert, AlertObservable, Observable, Severity
from .cases import Case, CaseObservable, CaseStep, Comment
from .events import CaseEvent
from .evidence import AlertAttachment, KeptObservable
from .saved_filters import SavedFilter
from .tokens import ApiToken, IngestSource, IngestTally

__all__ = [
    "Alert",
    "AlertAttachment",
    "AlertObservable",
    "ApiToken",
    "Case",
    "CaseEvent",
    "CaseObservable",
    "CaseStep",
    "Comment",
    "IngestSource",
    "IngestTally",
    "KeptObservable",
    "Observable",
    "SavedFilter",
    "Severity",
]
