"""Ingest endpoints: SIEMs post alerts here with an ingest token (DESIGN 5).

Every endpoint has the same semantics; only the adapter reading the body differs:
one alert -> 201 {"id", "case", "case_reference", "case_url", "duplicate": false}, or 200
with "duplicate": true when the source_ref was seen before; an array (or a wrapper such
as Kibana's {"alerts": [...]}) -> 200 {"results": [...]} in input order, each entry with
its own status (201, 200 or 400). The view only splits, reads and answers; the intake
service does the work in one transaction.
"""

import json
import logging
import time
from functools import lru_cache
from pathlib import Path

from django.conf import settings
from django.urls import get_script_prefix, reverse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiExample,
    OpenApiParameter,
    OpenApiResponse,
    extend_schema,
    extend_schema_view,
)
from rest_framework import exceptions, serializers, status
from rest_framework.response import Response
from rest_framework.views import APIView

from cases.extensions import ingest_request_handled
from cases.ingest import ADAPTERS
from cases.ingest.base import InvalidAlert, NativeAlert
from cases.services.intake import IntakeResult, ingest_alerts
from soc.api import ErrorOutput, error_body
from soc.permissions import IsIngestSource

from .ingest_auth import IngestHeaderAuthentication, IngestRateThrottle, QueryTokenAuthentication
from .ingest_body import IngestJSONParser, alert_surrogate_errors

logger = logging.getLogger(__name__)


def invalid_response(errors: dict, detail: str = "Invalid alert.") -> Response:
    return Response(error_body(400, "invalid", detail, errors=errors), status=status.HTTP_400_BAD_REQUEST)


class IngestView(APIView):
    """Base of the ingest endpoints; subclasses name their adapter."""

    adapter_name = "native"
    authentication_classes = [IngestHeaderAuthentication]
    permission_classes = [IsIngestSource]
    throttle_classes = [IngestRateThrottle]
    parser_classes = [IngestJSONParser]

    def dispatch(self, request, *args, **kwargs):
        # Timed around DRF's whole handling (auth, throttle, parse, intake); whoever listens
        # (insights' Prometheus counters) hears the source, the answer and the duration.
        started = time.perf_counter()
        response = super().dispatch(request, *args, **kwargs)
        source = getattr(self.request, "auth", None)
        ingest_request_handled.send(
            sender=type(self),
            source=getattr(source, "name", None),
            response=response,
            seconds=time.perf_counter() - started,
        )
        return response

    def post(self, request, *args, **kwargs):
        adapter = ADAPTERS[self.adapter_name]
        if not (request.content_type or "").lower().startswith("application/json"):
            # DRF treats a body without a Content-Type as empty; refuse it instead.
            raise exceptions.UnsupportedMediaType(request.content_type or "(none)")
        data = request.data  # malformed or deeper than MAX_DEPTH: ParseError, 400; NUL replaced
        try:
            items, is_batch = adapter.split(data)
        except InvalidAlert as exc:
            return invalid_response(exc.errors)
        if is_batch and len(items) > settings.VIGIL_MAX_BATCH:
            return Response(
                error_body(
                    413,
                    "too_many_alerts",
                    f"At most {settings.VIGIL_MAX_BATCH} alerts per request; this one has {len(items)}. "
                    "Split the array into smaller batches.",
                ),
                status=status.HTTP_413_REQUEST_ENTITY_TOO_LARGE,
            )
        if is_batch and not items:
            return invalid_response({"non_field_errors": ["The array is empty."]})

        parsed = [self.parse(adapter, item, request) for item in items]
        stored = iter(
            ingest_alerts(source=request.auth, alerts=[p for p in parsed if isinstance(p, NativeAlert)])
        )
        case_url = CaseUrl(request)
        if not is_batch:
            if isinstance(parsed[0], InvalidAlert):
                return invalid_response(parsed[0].errors, f"Invalid alert: {parsed[0]}")
            result = next(stored)
            code = status.HTTP_201_CREATED if result.created else status.HTTP_200_OK
            return Response(self.result_body(result, case_url), status=code)
        results = []
        for item in parsed:
            if isinstance(item, InvalidAlert):
                results.append({"status": 400, "errors": item.errors})
            else:
                result = next(stored)
                results.append(
                    {"status": 201 if result.created else 200, **self.result_body(result, case_url)}
                )
        return Response({"results": results}, status=status.HTTP_200_OK)

    def parse(self, adapter, item, request=None) -> NativeAlert | InvalidAlert:
        surrogate_errors = alert_surrogate_errors(request, item)
        if surrogate_errors:
            return InvalidAlert(surrogate_errors)
        try:
            return adapter.parse(item)
        except InvalidAlert as exc:
            return exc
        except Exception:
            # Adapters raise only InvalidAlert (property-tested); should one still fail on
            # some input, that alert is refused and logged, and its neighbours go through.
            logger.exception("%s adapter failed on an alert", adapter.name)
            return InvalidAlert({"non_field_errors": ["The alert could not be read."]})

    def result_body(self, result: IntakeResult, case_url: "CaseUrl") -> dict:
        return {
            "id": result.alert.pk,
            "case": result.case.pk,
            "case_reference": result.case.reference,
            "case_url": case_url(result.case.pk),
            "duplicate": not result.created,
        }


@lru_cache(maxsize=16)
def _case_path(script_prefix: str) -> str:
    # reverse() prefixes the script prefix (SCRIPT_NAME) of the current request; keyed on it.
    return reverse("cases:detail", kwargs={"pk": 0})


class CaseUrl:
    """Absolute case page URLs: the path reversed once per process (per script prefix),
    made absolute once per request, formatted per alert."""

    def __init__(self, request):
        self.template = request.build_absolute_uri(_case_path(get_script_prefix()))
        self.prefix, _, self.suffix = self.template.rpartition("/0/")

    def __call__(self, pk: int) -> str:
        return f"{self.prefix}/{pk}/{self.suffix}"


# --- the endpoints, with their OpenAPI descriptions ----------------------------------------

EXAMPLES_DIR = Path(__file__).resolve().parent.parent / "ingest" / "examples"


def _example(filename: str):
    return json.loads((EXAMPLES_DIR / filename).read_text(encoding="utf-8"))


class IngestResultOutput(serializers.Serializer):
    id = serializers.IntegerField(help_text="The alert's id.")
    case = serializers.IntegerField(help_text="The case it belongs to.")
    case_reference = serializers.CharField(help_text="e.g. CASE-2026-000123")
    case_url = serializers.URLField(help_text="The case page.")
    duplicate = serializers.BooleanField(help_text="True when this source_ref was ingested before.")


class ObservableInput(serializers.Serializer):
    type = serializers.ChoiceField(
        choices=["ip", "cidr", "domain", "url", "email", "user", "hostname", "hash"]
    )
    value = serializers.CharField()
    role = serializers.ChoiceField(
        choices=["source", "destination", "user", "sender", "declared"], required=False, default="declared"
    )


class NativeAlertInput(serializers.Serializer):
    """The native alert (documentation; the adapter in cases.ingest.native reads it)."""

    source_ref = serializers.CharField(max_length=255, help_text="Your id for the alert; unique per source.")
    title = serializers.CharField(max_length=500)
    description = serializers.CharField(required=False)
    severity = serializers.CharField(required=False, help_text="low, medium, high, critical or 1-4.")
    technique = serializers.CharField(required=False, help_text="ATT&CK id, e.g. T1591.002.")
    techniques = serializers.ListField(child=serializers.CharField(), required=False)
    observed_at = serializers.DateTimeField(
        required=False, help_text="ISO 8601; without an offset it is UTC. Default: arrival time."
    )
    observables = ObservableInput(many=True, required=False)
    tags = serializers.ListField(child=serializers.CharField(), required=False)
    raw = serializers.DictField(required=False, help_text="Anything; the whole alert is kept verbatim.")


NATIVE_EXAMPLE = {
    "source_ref": "detector-42:2026-03-04T13:41:07Z:203.0.113.77",
    "title": "Partner/Vendor Directory Burst from Unusual Source IP",
    "description": "186 requests to /partners/* from 203.0.113.77 using account m.keller.",
    "severity": "medium",
    "technique": "T1591.002",
    "observed_at": "2026-03-04T13:41:07Z",
    "observables": [
        {"type": "ip", "value": "203.0.113.77", "role": "source"},
        {"type": "user", "value": "m.keller", "role": "user"},
    ],
    "tags": ["extranet"],
}

RESULT_EXAMPLE = {
    "id": 4711,
    "case": 123,
    "case_reference": "CASE-2026-000123",
    "case_url": "https://vigil.example.com/cases/123/",
    "duplicate": False,
}


def ingest_schema(
    *, summary: str, description: str, example: tuple[str, dict], request=OpenApiTypes.OBJECT, parameters=None
):
    """The OpenAPI description of an IngestView's POST: the body is `request` (a vendor's own
    JSON object unless given), shown by one (name, value) example; the answers every ingest
    endpoint gives."""
    name, value = example
    return extend_schema_view(
        post=extend_schema(
            tags=["ingest"],
            summary=summary,
            description=description
            + "\n\nAuthentication: `Authorization: Token <ingest token>` (or `Bearer`). "
            "A JSON array (up to VIGIL_MAX_BATCH, default 1,000) is answered 200 with one result per alert.",
            request=request,
            parameters=parameters or [],
            examples=[OpenApiExample(name, value=value, request_only=True)],
            responses={
                201: OpenApiResponse(
                    IngestResultOutput,
                    description="Alert stored and attached to a case.",
                    examples=[
                        OpenApiExample(
                            "Created", value=RESULT_EXAMPLE, response_only=True, status_codes=["201"]
                        )
                    ],
                ),
                200: OpenApiResponse(
                    OpenApiTypes.OBJECT,
                    description="A duplicate (same source_ref): the same ids, nothing changed. For an array: "
                    '{"results": [...]} with a status per alert.',
                    examples=[
                        OpenApiExample(
                            "Duplicate",
                            value={**RESULT_EXAMPLE, "duplicate": True},
                            response_only=True,
                            status_codes=["200"],
                        ),
                        OpenApiExample(
                            "Batch",
                            value={
                                "results": [
                                    {"status": 201, **RESULT_EXAMPLE},
                                    {"status": 400, "errors": {"title": ["This field is required."]}},
                                ]
                            },
                            response_only=True,
                            status_codes=["200"],
                        ),
                    ],
                ),
                400: OpenApiResponse(
                    ErrorOutput, description="Invalid JSON or alert; `errors` names each field."
                ),
                401: OpenApiResponse(ErrorOutput, description="Missing, unknown or revoked token."),
                403: OpenApiResponse(ErrorOutput, description="Not an ingest token."),
                413: OpenApiResponse(
                    ErrorOutput, description="Body over VIGIL_MAX_BODY_BYTES or too many alerts."
                ),
                415: OpenApiResponse(ErrorOutput, description="Content-Type is not application/json."),
                429: OpenApiResponse(ErrorOutput, description="Rate limit of this source; see Retry-After."),
            },
        )
    )


def ingest_view(adapter_name: str, **schema) -> type[IngestView]:
    """The endpoint of an adapter that needs nothing of its own but its OpenAPI
    description (`schema`, as ingest_schema takes it)."""
    view = type(
        f"{adapter_name.capitalize()}IngestView",
        (IngestView,),
        {"adapter_name": adapter_name, "__module__": __name__},
    )
    return ingest_schema(**schema)(view)


NativeIngestView = ingest_view(
    "native",
    summary="Ingest alerts (native format)",
    description="Vigil's own format (DESIGN 5). Only source_ref and title are required.",
    request=NativeAlertInput,
    example=("One alert", NATIVE_EXAMPLE),
)
ElasticIngestView = ingest_view(
    "elastic",
    summary="Ingest Elastic Security alerts",
    description="Elastic Security alert documents (ECS + kibana.alert.*): one, an array, or a Kibana "
    'Webhook connector body {"alerts": [...]}. source_ref is kibana.alert.uuid.',
    example=("Detection alert", _example("elastic_alert.json")),
)


@ingest_schema(
    summary="Ingest Splunk webhook alert actions",
    description="The Splunk webhook alert action body (sid, search_name, result); also a search result "
    "row posted bare (source_ref its event_id, else a digest), an array of rows or bodies, or a search "
    'results body {"fields": [...], "results": [...]} (one alert per result). A result row of '
    'Enterprise Security\'s notable index (sourcetype stash) is read with the key="value" fields '
    "of its `_raw`. An alert action's session_key is not stored. Splunk cannot set headers, so the "
    "token may also be passed as `?token=`.",
    parameters=[
        OpenApiParameter(
            "token", str, OpenApiParameter.QUERY, required=False, description="The ingest token."
        )
    ],
    example=("Webhook body", _example("splunk_webhook.json")),
)
class SplunkIngestView(IngestView):
    adapter_name = "splunk"
    authentication_classes = [IngestHeaderAuthentication, QueryTokenAuthentication]


WazuhIngestView = ingest_view(
    "wazuh",
    summary="Ingest Wazuh alerts",
    description="Wazuh alert JSON (rule.mitre arrays, data.* from the decoder), bare or as "
    "wazuh-indexer stores it: a search hit or Logstash record (the alert in `_source`), a list of "
    "them, or a search response (one alert per hit). source_ref is `id`, else the hit's `_id`, else "
    "a digest of the alert (a resent copy is a duplicate).",
    example=("Alert", _example("wazuh_alert.json")),
)
OcsfIngestView = ingest_view(
    "ocsf",
    summary="Ingest OCSF findings and activity events",
    description="OCSF findings: class_uid 2004 (Detection Finding), 2001 (Security Finding, OCSF "
    "1.0), 2002 (Vulnerability), 2003 (Compliance), 2006 (Data Security), 2007 (Application "
    "Security Posture); not 2005 (Incident Finding, which has no uid or title of its own). "
    "source_ref is finding_info.uid (finding.uid in OCSF 1.0). Also System, Identity & Access "
    "Management, Network and Application Activity events (1xxx, 3xxx, 4xxx, 6xxx: "
    "Authentication, API Activity, Network, HTTP and Email Activity...) and Discovery reports "
    "(5xxx: Device Inventory Info...); integers may be decimal strings: source_ref metadata.uid, "
    "else a digest of the event; title type_name (else the class's name), with what it acted on "
    "when present (api.operation, the email's subject, the HTTP request's URL). An email's "
    "from/smtp_from/reply_to are its senders, to/smtp_to/cc its recipients.",
    example=("Detection Finding", _example("ocsf_detection_finding.json")),
)


@ingest_schema(
    summary="Ingest TheHive 5 alerts",
    description="TheHive 5 alert bodies, answered in Vigil's shape. TheHive's own API (POST "
    "/api/v1/alert and the rest, cases.api.thehive) answers in TheHive's shapes for TheHive clients. "
    "Without `date`, the earliest `procedures[].occurDate` is the event time. An observable tagged "
    "`<namespace>:type=<ECS field>` (`sekoia:type=source.ip`) takes that field's party as its role, "
    'an ip or host whose `message` starts by naming one ("Source IP", "Destination IP") that one; '
    "`user:<name>` or `username:<name>` tags on the alert or an observable add that user; "
    "`host:`/`hostname:`/`agent_name:` and `host_ip:`/`agent_ip:` tags on the alert its host "
    "(as the wazuh2thehive integration tags its alerts).",
    example=("Alert", _example("thehive_alert.json")),
)
class TheHiveIngestView(IngestView):
    adapter_name = "thehive"

    def result_body(self, result, case_url):
        # TheHive clients read the created alert's `_id`.
        return {"_id": str(result.alert.pk), **super().result_body(result, case_url)}
