from .alerts import Alert, AlertObservable, Observable, Severity
from .cases import Case, CaseEvent, CaseObservable, CaseStep, Comment
from .evidence import AlertAttachment
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
    "Observable",
    "SavedFilter",
    "Severity",
]
