"""TheHive calls Vigil refuses by design, answered in TheHive's shape so that a client
shows why ("AuthorizationError - ...") instead of choking on a bare 404 or 405.

An ingest source sends alerts and adds to them. It does not delete alerts (they are
evidence), create, edit or comment on cases (intake opens them, analysts work them),
nor change an alert's status (every alert is "Imported" into its case at once): those
are TheHive's 403 AuthorizationError, as TheHive answers a key whose profile lacks the
permission (the ingest user has manageAlert/create and manageAlert/update only), or its
400 for a status change, as a PATCH changing a field is. Any other path of TheHive's
resources is TheHive's 404 NotFoundError naming the call.
"""

from drf_spectacular.utils import extend_schema

from .base import TheHiveView
from .body import TheHiveError, bad_request

EVIDENCE = "Vigil keeps alerts as evidence: an ingest token does not delete them."
CASES = (
    "Vigil opens cases from the alerts it receives and analysts work them in Vigil: an ingest "
    "token does not create, change or comment on cases. Send an alert (POST /api/v1/alert) instead."
)
BULK_UPDATE = (
    "Vigil keeps alerts as they were sent; it does not update alerts in bulk. Add observables instead."
)
# TheHive's resources (the first part of its paths), whose paths Vigil answers in TheHive's shape.
RESOURCES = (
    "alert|case|observable|task|log|user|organisation|profile|caseTemplate|customField|procedure"
    "|page|pageTemplate|share|pattern|dashboard|describe|status|config|connector|taxonomy"
)


class RefusedView(TheHiveView):
    """Every method answers one refusal (after the token is checked: anonymous is a 401)."""

    status_code = 403
    type_ = "AuthorizationError"
    message = ""

    @extend_schema(exclude=True)
    def refuse(self, request, *args, **kwargs):
        raise TheHiveError(self.status_code, self.type_, self.message)

    get = post = put = patch = delete = refuse


def refusal(name: str, message: str, *, status_code: int = 403, type_: str = "AuthorizationError"):
    return type(name, (RefusedView,), {"message": message, "status_code": status_code, "type_": type_})


AlertBulkDeleteView = refusal("AlertBulkDeleteView", EVIDENCE)
AlertBulkUpdateView = refusal("AlertBulkUpdateView", BULK_UPDATE, status_code=400, type_="BadRequest")
CaseWriteView = refusal("CaseWriteView", CASES)


class AlertStatusView(TheHiveView):
    """TheHive 3/4's markAsRead / markAsUnread (Shuffle's close_alert and reopen_alert)."""

    @extend_schema(exclude=True)
    def post(self, request, alert_id: str, *args, **kwargs):
        alert = self.get_alert(alert_id)
        raise bad_request(
            f"Vigil does not change an alert's status: alert {alert.pk} is Imported into case "
            f"{alert.case_id}, which analysts work (and close) in Vigil.",
            {"status": ["Not updatable."]},
        )


class UnknownCallView(TheHiveView):
    @extend_schema(exclude=True)
    def answer(self, request, *args, **kwargs):
        path = request.path[:120]
        raise TheHiveError(
            404,
            "NotFoundError",
            f"Vigil does not answer TheHive's {request.method} {path}; it answers TheHive's alert "
            "API (alerts, their observables and attachments, promote and merge, query, the current user).",
        )

    get = post = put = patch = delete = answer
