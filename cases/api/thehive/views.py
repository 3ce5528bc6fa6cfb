"""TheHive's alert API on Vigil, for the clients of TheHive 5 (/api/v1/, thehive4py 2.x)
and TheHive 3/4 (/api/, thehive4py 1.x). See the package docstring for what each call does.

Who may call: an ingest source, by its token (`Authorization: Bearer <ingest token>`, or
`Token`), and it sees only the alerts it sent. A personal (user) token is refused (403).
Errors answer TheHive's {"type", "message"} (and Vigil's status/code/detail beside them).
"""

from django.conf import settings
from django.db import connection, transaction
from django.db.models import Prefetch
from django.urls import reverse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import exceptions, status
from rest_framework.parsers import MultiPartParser
from rest_framework.response import Response
from rest_framework.views import APIView

from cases.api.ingest_auth import IngestHeaderAuthentication, IngestRateThrottle
from cases.ingest import ADAPTERS
from cases.ingest.base import InvalidAlert
from cases.models import Alert, AlertAttachment, AlertObservable, Case
from cases.services.alert_additions import alert_evidence_add, alert_observables_add
from cases.services.intake import ingest_alerts
from soc.api import ErrorOutput
from soc.permissions import IsIngestSource

from . import render
from .body import (
    TheHiveError,
    TheHiveJSONParser,
    bad_request,
    bound_uploads,
    read_body,
    read_observables,
    split_files,
)
from .query import Plan, QueryError, parse
from .query_v0 import parse_search

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
# Fields a PATCH may carry unchanged (thehive4py 1.x sends them all on every update).
PATCHABLE_UNCHANGED = (
    "title",
    "description",
    "severity",
    "tags",
    "tlp",
    "pap",
    "follow",
    "caseTemplate",
    "customFields",
)

RESPONSES = {
    200: OpenApiResponse(OpenApiTypes.OBJECT, description="TheHive's object for the call."),
    400: OpenApiResponse(ErrorOutput, description='TheHive\'s {"type", "message"}.'),
    401: OpenApiResponse(ErrorOutput, description="Missing, unknown or revoked token."),
    403: OpenApiResponse(ErrorOutput, description="Not an ingest token."),
    404: OpenApiResponse(ErrorOutput, description="No such alert of this source."),
}


def thehive_schema(summary: str, description: str | None = None, *, body: bool = True, created: bool = False):
    """The schema of one of TheHive's calls: TheHive's object in (`body`) and out (with a
    201 where the call `created` something), TheHive's errors."""
    responses = {**RESPONSES, 201: OpenApiResponse(OpenApiTypes.OBJECT)} if created else RESPONSES
    extra = {"request": OpenApiTypes.OBJECT} if body else {}
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

    def get_alert(self, alert_id: str) -> Alert:
        try:
            pk = int(alert_id)
        except ValueError:
            pk = None
        alert = self.alerts().filter(pk=pk).first() if pk is not None else None
        if alert is None:
            raise TheHiveError(404, "NotFoundError", f"Alert {alert_id[:40]} not found")
        return alert

    def case_url(self, case_id: int) -> str:
        return self.request.build_absolute_uri(reverse("cases:detail", kwargs={"pk": case_id}))

    def render_alert(self, alert: Alert) -> dict:
        links = getattr(alert, "prefetched_links", None)
        if links is None:
            links = list(alert.alert_observables.select_related("observable").order_by("pk"))
        files = getattr(alert, "prefetched_files", None)
        if files is None:
            files = list(alert.attachments.order_by("pk"))
        return render.alert(alert, links, files, case_url=self.case_url(alert.case_id), v0=self.v0)

    @property
    def observables_key(self) -> str:
        return "artifacts" if self.v0 else "observables"


def with_observables(queryset):
    """Alerts with their observables and files in two more queries, whatever their number."""
    return queryset.prefetch_related(
        Prefetch(
            "alert_observables",
            queryset=AlertObservable.objects.select_related("observable").order_by("pk"),
            to_attr="prefetched_links",
        ),
        Prefetch("attachments", queryset=AlertAttachment.objects.order_by("pk"), to_attr="prefetched_files"),
    )


class AlertCreateView(TheHiveView):
    @thehive_schema(
        "Create an alert",
        "TheHive's alert body, JSON or multipart (`_json` and files). 201 with TheHive's "
        "alert; a repeated sourceRef is TheHive's 400 CreateError (VIGIL_THEHIVE_DUPLICATE_IS_ERROR=0: "
        "200 with the stored alert).",
    )
    def post(self, request, *args, **kwargs):
        document, uploads = read_body(request)
        if not isinstance(document, dict):
            raise bad_request("Expected one alert (a JSON object).")
        document, evidence = split_files(document, uploads, self.observables_key)
        try:
            native = ADAPTERS["thehive"].parse(document)
        except InvalidAlert as exc:
            raise TheHiveError(400, "AttributeCheckingError", f"Invalid alert: {exc}", exc.errors) from None
        with transaction.atomic():
            [result] = ingest_alerts(source=request.auth, alerts=[native])
            if result.created and evidence:
                alert_evidence_add(alert=result.alert, files=evidence, source=request.auth)
        if not result.created and settings.VIGIL_THEHIVE_DUPLICATE_IS_ERROR:
            type_, source, ref = render.identity(result.alert)
            raise TheHiveError(
                400,
                "CreateError",
                f"Alert already exists (type {type_!r}, source {source!r}, sourceRef {ref!r}): {result.alert.pk}",
            )
        alert = self.alerts().get(pk=result.alert.pk)
        code = status.HTTP_201_CREATED if result.created else status.HTTP_200_OK
        return Response(self.render_alert(alert), status=code)


class AlertDetailView(TheHiveView):
    @thehive_schema("Get an alert", body=False)
    def get(self, request, alert_id: str, *args, **kwargs):
        return Response(self.render_alert(self.get_alert(alert_id)))

    @thehive_schema(
        "Update an alert",
        "Adds the `observables` (`artifacts`) it carries. Alerts are evidence: other fields "
        "may be sent unchanged (thehive4py 1.x sends them all) but not changed (400).",
    )
    def patch(self, request, alert_id: str, *args, **kwargs):
        alert = self.get_alert(alert_id)
        document, uploads = read_body(request)
        if not isinstance(document, dict):
            raise bad_request("Expected the fields to update (a JSON object).")
        current = render.alert(alert, [], [], case_url="", v0=self.v0)
        changed = sorted(
            key
            for key, value in document.items()
            if key not in ("observables", "artifacts")
            and not (key in PATCHABLE_UNCHANGED and (key not in current or current[key] == value))
        )
        if changed:
            raise bad_request(
                f"Vigil keeps alerts as they were sent; it does not change {', '.join(changed)}. "
                "Add observables instead, or work the case in Vigil.",
                {key: ["Not updatable."] for key in changed},
            )
        added = document.get("observables", document.get("artifacts"))
        if added:
            tuples, files = read_observables(added, uploads)
            with transaction.atomic():
                alert_observables_add(alert=alert, observables=tuples, source=request.auth)
                if files:
                    alert_evidence_add(alert=alert, files=files, source=request.auth)
        return Response(self.render_alert(self.get_alert(alert_id)))


class AlertObservablesView(TheHiveView):
    @thehive_schema(
        "Add observables to an alert",
        "Adds them to the alert and its case and sends them to enrichment. A file "
        "observable (multipart, or v0 inline data) is kept as evidence. Answers the created "
        "observables, as TheHive does.",
        created=True,
    )
    def post(self, request, alert_id: str, *args, **kwargs):
        alert = self.get_alert(alert_id)
        document, uploads = read_body(request)
        tuples, files = read_observables(document, uploads)
        with transaction.atomic():
            links = alert_observables_add(alert=alert, observables=tuples, source=request.auth)
            stored = alert_evidence_add(alert=alert, files=files, source=request.auth) if files else []
        body = [render.observable(link, alert, v0=self.v0) for link in links] + [
            render.attachment_observable(item, alert, v0=self.v0) for item in stored
        ]
        return Response(body, status=status.HTTP_201_CREATED)


class AlertAttachmentsView(TheHiveView):
    @thehive_schema(
        "Attach files to an alert",
        "Multipart `attachments` parts, kept as evidence of the alert's case.",
    )
    def post(self, request, alert_id: str, *args, **kwargs):
        alert = self.get_alert(alert_id)
        if not (request.content_type or "").lower().startswith("multipart/form-data"):
            raise exceptions.UnsupportedMediaType(request.content_type or "(none)")
        _ = request.data  # reads the parts, within the bounds of bound_uploads
        refused = getattr(request._request, "vigil_upload_refused", None)
        if refused:
            raise TheHiveError(413, "RequestTooLarge", refused)
        uploads = request.FILES.getlist("attachments")
        if not uploads:
            raise bad_request("Send the files as multipart `attachments` parts.")
        from .body import uploaded

        stored = alert_evidence_add(alert=alert, files=[uploaded(f) for f in uploads], source=request.auth)
        return Response(
            {"attachments": [render.attachment_observable(item, alert)["attachment"] for item in stored]},
            status=status.HTTP_201_CREATED,
        )


class AlertCaseView(TheHiveView):
    @thehive_schema(
        "Promote an alert to a case",
        "Every Vigil alert is in a case from the moment it arrives: this answers that case "
        "as TheHive's case object (its Vigil reference and page in extraData.vigil). Nothing changes.",
        created=True,
    )
    def post(self, request, alert_id: str, *args, **kwargs):
        alert = self.get_alert(alert_id)
        case = Case.objects.select_related("assignee").get(pk=alert.case_id)
        return Response(render.case(case, url=self.case_url(case.pk)), status=status.HTTP_201_CREATED)


class QueryView(TheHiveView):
    @thehive_schema(
        "Query alerts",
        "The query forms of thehive4py's alert.find, alert.count and alert.find_observables "
        "(listAlert with filter, sort, page, count; getAlert + observables), over this source's alerts.",
    )
    def post(self, request, *args, **kwargs):
        try:
            plan = parse(request.data, postgres=connection.vendor == "postgresql")
        except QueryError as exc:
            raise bad_request(str(exc)) from None
        return self.answer(plan)

    def answer(self, plan: Plan) -> Response:
        """The plan run on this source's own alerts."""
        if plan.kind == "observables":
            alert = self.get_alert(plan.alert_id)
            rendered = self.render_alert(alert)[self.observables_key]
            return Response(rendered[plan.start : plan.end])
        alerts = self.alerts().filter(plan.q)
        if plan.count:
            return Response(alerts.count())
        page = with_observables(alerts.order_by(*plan.order_by))[plan.start : plan.end]
        return Response([self.render_alert(alert) for alert in page])


class CurrentUserView(TheHiveView):
    @thehive_schema("The token's user", body=False)
    def get(self, request, *args, **kwargs):
        return Response(render.user(request.auth, v0=self.v0))


def v0_flavour(view: type[TheHiveView]) -> type[TheHiveView]:
    """The TheHive 3/4 (v0) flavour of a view: the same call, answered in the older shapes."""
    return type(f"V0{view.__name__}", (view,), {"v0": True, "__module__": __name__})


V0AlertCreateView = v0_flavour(AlertCreateView)
V0AlertDetailView = v0_flavour(AlertDetailView)
V0AlertObservablesView = v0_flavour(AlertObservablesView)
V0AlertCaseView = v0_flavour(AlertCaseView)
V0CurrentUserView = v0_flavour(CurrentUserView)


class V0AlertSearchView(QueryView):
    v0 = True

    @thehive_schema(
        "Search alerts (TheHive 3/4)",
        "thehive4py 1.x's find_alerts: the criteria of thehive4py.query in the body's `query`, "
        "`range` (all, or from-to) and `sort` (-createdAt, +title; repeatable) in the query "
        "string, over this source's alerts.",
    )
    def post(self, request, *args, **kwargs):
        try:
            plan = parse_search(
                request.data,
                range_=request.query_params.get("range", "all"),
                sort=request.query_params.getlist("sort"),
                postgres=connection.vendor == "postgresql",
            )
        except QueryError as exc:
            raise bad_request(str(exc)) from None
        return self.answer(plan)
