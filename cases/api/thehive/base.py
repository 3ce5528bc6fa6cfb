"""What every TheHive call shares: who may call (an ingest source, by its token:
`Authorization: Bearer <ingest token>`, or `Token`; it sees only the alerts it sent, and
the cases that hold them), TheHive's {"type", "message"} errors (with Vigil's
status/code/detail beside them), the schema of a call, and the v0 (TheHive 3/4) flavour
of a view. A personal (user) token is refused (403).
"""

from django.db.models import Prefetch
from django.urls import reverse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework.parsers import MultiPartParser
from rest_framework.views import APIView

from cases.api.ingest_auth import IngestHeaderAuthentication, IngestRateThrottle
from cases.models import Alert, AlertAttachment, AlertObservable, Case, KeptObservable
from soc.api import ErrorOutput
from soc.permissions import IsIngestSource

from . import render
from .body import TheHiveError, TheHiveJSONParser, bound_uploads

ERROR_TYPES = {
    400: "BadRequest",
    401: "AuthenticationError",
    403: "AuthorizationError",
    404: "NotFoundError",
    405: "BadRequest",
    413: "RequestTooLarge",
    415: "BadRequest",
    429: "TooManyRequests",
}
RESPONSES = {
    200: OpenApiResponse(OpenApiTypes.OBJECT, description="TheHive's object for the call."),
    400: OpenApiResponse(ErrorOutput, description='TheHive\'s {"type", "message"}.'),
    401: OpenApiResponse(ErrorOutput, description="Missing, unknown or revoked token."),
    403: OpenApiResponse(ErrorOutput, description="Not an ingest token."),
    404: OpenApiResponse(ErrorOutput, description="No such alert of this source."),
}


def thehive_schema(
    summary: str,
    description: str | None = None,
    *,
    body: bool = True,
    created: bool = False,
    partial: bool = False,
):
    """The schema of one of TheHive's calls: TheHive's object in (`body`) and out (with a
    201 where the call `created` something, and TheHive's 207 {"success", "failure"} where
    it may create `partial`ly), TheHive's errors."""
    responses = {**RESPONSES, 201: OpenApiResponse(OpenApiTypes.OBJECT)} if created else RESPONSES
    if partial:
        responses = {
            **responses,
            207: OpenApiResponse(OpenApiTypes.OBJECT, description="Some could not be read."),
        }
    extra = {"request": OpenApiTypes.OBJECT if body else None}
    return extend_schema(
        tags=["thehive"],
        summary=f"{summary} (TheHive)",
        description=description,
        responses=responses,
        **extra,
    )


class TheHiveView(APIView):
    authentication_classes = [IngestHeaderAuthentication]
    permission_classes = [IsIngestSource]
    throttle_classes = [IngestRateThrottle]
    parser_classes = [TheHiveJSONParser, MultiPartParser]
    v0 = False  # TheHive 3/4's shapes (artifacts, id) instead of TheHive 5's

    def initial(self, request, *args, **kwargs):
        bound_uploads(request)
        super().initial(request, *args, **kwargs)

    def handle_exception(self, exc):
        response = super().handle_exception(exc)
        data = response.data if isinstance(response.data, dict) else {}
        type_ = getattr(exc, "type", None) or ERROR_TYPES.get(response.status_code, "Error")
        message = str(getattr(exc, "detail", "") or data.get("detail", "")) or type_
        response.data = {"type": type_, "message": message, **data}
        if getattr(exc, "errors", None):
            response.data["errors"] = exc.errors
        return response

    # --- helpers ---------------------------------------------------------------------

    def alerts(self):
        return Alert.objects.filter(source=self.request.auth).select_related("source")

    @staticmethod
    def _one(queryset, raw_id: str, kind: str):
        """The row of `queryset` with TheHive id `raw_id`, or TheHive's 404 for `kind`."""
        try:
            pk = int(raw_id)
        except ValueError:
            pk = None
        found = queryset.filter(pk=pk).first() if pk is not None else None
        if found is None:
            raise TheHiveError(404, "NotFoundError", f"{kind} {raw_id[:40]} not found")
        return found

    def get_alert(self, alert_id: str) -> Alert:
        return self._one(self.alerts(), alert_id, "Alert")

    def cases(self):
        """The cases that hold this source's alerts (the only cases it may read)."""
        held = Alert.objects.filter(source=self.request.auth).values("case_id")
        return Case.objects.filter(pk__in=held).select_related("assignee")

    def get_case(self, case_id: str) -> Case:
        return self._one(self.cases(), case_id, "Case")

    def case_url(self, case_id: int) -> str:
        return self.request.build_absolute_uri(reverse("cases:detail", kwargs={"pk": case_id}))

    def render_alert(self, alert: Alert) -> dict:
        links = getattr(alert, "prefetched_links", None)
        if links is None:
            links = list(alert.alert_observables.select_related("observable").order_by("pk"))
        files = getattr(alert, "prefetched_files", None)
        if files is None:
            files = list(alert.attachments.order_by("pk"))
        kept = getattr(alert, "prefetched_kept", None)
        if kept is None:
            kept = list(alert.kept_observables.order_by("pk"))
        return render.alert(alert, links, files, kept=kept, case_url=self.case_url(alert.case_id), v0=self.v0)

    @property
    def observables_key(self) -> str:
        return "artifacts" if self.v0 else "observables"


def with_observables(queryset):
    """Alerts with their observables, kept values and files in three more queries,
    whatever their number."""
    return queryset.prefetch_related(
        Prefetch(
            "alert_observables",
            queryset=AlertObservable.objects.select_related("observable").order_by("pk"),
            to_attr="prefetched_links",
        ),
        Prefetch(
            "kept_observables", queryset=KeptObservable.objects.order_by("pk"), to_attr="prefetched_kept"
        ),
        Prefetch("attachments", queryset=AlertAttachment.objects.order_by("pk"), to_attr="prefetched_files"),
    )


def v0_flavour(view: type[TheHiveView]) -> type[TheHiveView]:
    """The TheHive 3/4 (v0) flavour of a view: the same call, answered in the older shapes."""
    return type(f"V0{view.__name__}", (view,), {"v0": True, "__module__": __name__})
