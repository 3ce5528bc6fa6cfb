"""TheHive's alert API on Vigil, for the clients of TheHive 5 (/api/v1/, thehive4py 2.x)
and TheHive 3/4 (/api/, thehive4py 1.x): alerts, their observables and files, queries,
the token's user. See the package docstring for what each call does, `base` for who may
call, `case_views` for promoting and merging alerts and reading cases.
"""

from django.conf import settings
from django.db import connection, transaction
from rest_framework import exceptions, status
from rest_framework.response import Response

from cases.ingest import ADAPTERS
from cases.ingest.base import InvalidAlert
from cases.ingest.thehive import declared, kept_values
from cases.services.alert_additions import alert_evidence_add, alert_observables_add
from cases.services.intake import ingest_alerts

from . import render
from .base import TheHiveView, thehive_schema, v0_flavour, with_observables
from .body import TheHiveError, bad_request, kept_value, read_body, read_observables, split_files, uploaded
from .query import Plan, QueryError, parse
from .query_v0 import parse_search
from .refusals import EVIDENCE

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
    "status",  # "Imported": thehive4py's update may carry the status it read
    "stage",
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
        kept = [kept_value(obs, value) for obs, value in kept_values(document)]
        with transaction.atomic():
            [result] = ingest_alerts(source=request.auth, alerts=[native])
            if result.created and evidence:
                alert_evidence_add(alert=result.alert, files=evidence, source=request.auth)
            if result.created and kept:
                alert_observables_add(alert=result.alert, observables=[], kept=kept, source=request.auth)
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
            and not tags_unchanged(key, value, current["tags"])
        )
        if changed:
            raise bad_request(
                f"Vigil keeps alerts as they were sent; it does not change {', '.join(changed)}. "
                "Add observables instead, or work the case in Vigil.",
                {key: ["Not updatable."] for key in changed},
            )
        added = declared(document)
        if added:
            read = read_observables(added, uploads, strict=True)
            with transaction.atomic():
                alert_observables_add(
                    alert=alert, observables=read.tuples, kept=read.kept, source=request.auth
                )
                if read.files:
                    alert_evidence_add(alert=alert, files=read.files, source=request.auth)
        return Response(self.render_alert(self.get_alert(alert_id)))

    @thehive_schema("Delete an alert", "Refused (403): Vigil keeps alerts as evidence.", body=False)
    def delete(self, request, alert_id: str, *args, **kwargs):
        alert = self.get_alert(alert_id)
        raise TheHiveError(403, "AuthorizationError", f"{EVIDENCE} (alert {alert.pk})")


def tags_unchanged(key: str, value, tags: list) -> bool:
    """thehive4py's addTags / removeTags that would leave the alert's tags as they are."""
    if not isinstance(value, list):
        return False
    if key == "addTags":
        return all(tag in tags for tag in value)
    return key == "removeTags" and not any(tag in tags for tag in value)


class AlertFollowView(TheHiveView):
    @thehive_schema(
        "Follow an alert",
        "Vigil always follows its alerts (what is added reaches the case): answers the alert.",
        body=False,
    )
    def post(self, request, alert_id: str, *args, **kwargs):
        return Response(self.render_alert(self.get_alert(alert_id)))


class AlertUnfollowView(TheHiveView):
    @thehive_schema(
        "Unfollow an alert", "Refused (400): what is added to an alert always reaches its case.", body=False
    )
    def post(self, request, alert_id: str, *args, **kwargs):
        alert = self.get_alert(alert_id)
        raise bad_request(
            f"Vigil always follows its alerts: what is added to alert {alert.pk} reaches case {alert.case_id}.",
            {"follow": ["Not updatable."]},
        )


class AlertObservablesView(TheHiveView):
    @thehive_schema(
        "Add observables to an alert",
        "Adds them to the alert and its case and sends them to enrichment. A dataType Vigil "
        "has no entity for (registry, user-agent, a custom type) is kept on the alert as sent; "
        "a file observable (multipart, or v0 inline data) as evidence. Answers the created "
        "observables (201), or, when some could not be read, TheHive's 207 "
        '{"success": [...], "failure": [...]}, the others stored.',
        created=True,
        partial=True,
    )
    def post(self, request, alert_id: str, *args, **kwargs):
        alert = self.get_alert(alert_id)
        document, uploads = read_body(request)
        read = read_observables(document, uploads)
        with transaction.atomic():
            added = alert_observables_add(
                alert=alert, observables=read.tuples, kept=read.kept, source=request.auth
            )
            stored = (
                alert_evidence_add(alert=alert, files=read.files, source=request.auth) if read.files else []
            )
        body = (
            [render.observable(link, alert, v0=self.v0) for link in added.links]
            + [render.kept_observable(item, alert, v0=self.v0) for item in added.kept]
            + [render.attachment_observable(item, alert, v0=self.v0) for item in stored]
        )
        if read.failures:
            return Response({"success": body, "failure": read.failures}, status=status.HTTP_207_MULTI_STATUS)
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
        stored = alert_evidence_add(alert=alert, files=[uploaded(f) for f in uploads], source=request.auth)
        return Response(
            {"attachments": [render.attachment_observable(item, alert)["attachment"] for item in stored]},
            status=status.HTTP_201_CREATED,
        )


class QueryView(TheHiveView):
    @thehive_schema(
        "Query alerts",
        "The query forms of thehive4py's alert.find, alert.count, alert.find_observables, "
        "case.find and case.count (listAlert or listCase with filter, sort, page, count; "
        "getAlert + observables), over this source's alerts and the cases that hold them.",
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
        if plan.kind == "cases":
            cases = self.cases().filter(plan.q)
            if plan.count:
                return Response(cases.count())
            page = cases.order_by(*plan.order_by)[plan.start : plan.end]
            return Response([render.case(case, url=self.case_url(case.pk)) for case in page])
        alerts = self.alerts().filter(plan.q)
        if plan.count:
            return Response(alerts.count())
        page = with_observables(alerts.order_by(*plan.order_by))[plan.start : plan.end]
        return Response([self.render_alert(alert) for alert in page])


class CurrentUserView(TheHiveView):
    @thehive_schema("The token's user", body=False)
    def get(self, request, *args, **kwargs):
        return Response(render.user(request.auth, v0=self.v0))


V0AlertCreateView = v0_flavour(AlertCreateView)
V0AlertDetailView = v0_flavour(AlertDetailView)
V0AlertObservablesView = v0_flavour(AlertObservablesView)
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
