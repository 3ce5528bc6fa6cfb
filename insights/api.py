"""/api/v1/metrics/ (SOC managers): every metrics table as JSON, or one as CSV
(?format=csv&table=KEY). /api/v1/attack/layer.json: the ATT&CK Navigator layer."""

from __future__ import annotations

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.renderers import JSONRenderer
from rest_framework.response import Response
from rest_framework.views import APIView

from soc.csv import CSVRenderer, csv_response
from soc.permissions import require_perm

from .attack_layer import coverage_layer
from .metrics.period import PeriodForm
from .metrics.services import table_csv_rows, tables_for

CanManage = require_perm("cases.assign_any")

PERIOD_PARAMETERS = [
    OpenApiParameter("start", OpenApiTypes.DATE, description="First day (default: 29 days before the end)."),
    OpenApiParameter("end", OpenApiTypes.DATE, description="Last day, inclusive (default: today)."),
    OpenApiParameter(
        "team", OpenApiTypes.INT, description="A team (group) id: cases assigned to its members."
    ),
]


def valid_period_form(request) -> PeriodForm:
    form = PeriodForm(request.query_params)
    if not form.is_valid():
        raise ValidationError(
            form.errors.get_json_data()
            and {k: [e["message"] for e in v] for k, v in form.errors.get_json_data().items()}
        )
    return form


@extend_schema(
    tags=["metrics"],
    parameters=[
        *PERIOD_PARAMETERS,
        OpenApiParameter("table", OpenApiTypes.STR, description="With format=csv: the table to export."),
        OpenApiParameter("format", OpenApiTypes.STR, enum=["json", "csv"]),
    ],
    responses={200: OpenApiTypes.OBJECT},
)
class MetricsView(APIView):
    """The metrics page's tables: summary, per_day, backlog, by_severity, by_technique,
    by_source, by_analyst, sla, containment, agreement."""

    permission_classes = [CanManage]
    renderer_classes = [JSONRenderer, CSVRenderer]

    def get(self, request):
        form = valid_period_form(request)
        tables = tables_for(form)
        if request.accepted_renderer.format == "csv":
            found = {table.key: table for table in tables}
            key = request.query_params.get("table", "")
            if key not in found:
                raise NotFound(f"Choose a table: {', '.join(found)}.")
            header, rows = table_csv_rows(found[key])
            return csv_response(f"vigil-{key}.csv", header, rows)
        period = form.period()
        return Response(
            {
                "start": period.start.isoformat(),
                "end": period.end.isoformat(),
                "team": period.team.pk if period.team else None,
                "tables": [table.as_dict() for table in tables],
            }
        )


@extend_schema(tags=["metrics"], parameters=PERIOD_PARAMETERS, responses={200: OpenApiTypes.OBJECT})
class AttackLayerView(APIView):
    """ATT&CK Navigator layer (format 4.5): techniques with a published playbook (and what
    each covers), scored by cases opened in the period, linked to the playbook. Import
    it in the Navigator with "Open Existing Layer"."""

    permission_classes = [require_perm("cases.view_case")]

    def get(self, request):
        form = valid_period_form(request)
        response = Response(coverage_layer(form.period(), request.build_absolute_uri))
        response["Content-Disposition"] = 'attachment; filename="vigil-coverage-layer.json"'
        return response
