"""GET /api/v1/cases/{id}/report?format=md|pdf: the case report, for whoever may see the
case (session or personal token)."""

from __future__ import annotations

from django.http import HttpResponse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework.exceptions import ValidationError
from rest_framework.renderers import JSONRenderer
from rest_framework.views import APIView

from cases import selectors
from soc.permissions import require_perm

from .collect import collect
from .markdown import render_markdown
from .pdf import render_pdf

FORMATS = ("md", "pdf")


@extend_schema(
    tags=["cases"],
    summary="The case report (Markdown or PDF)",
    parameters=[OpenApiParameter("format", OpenApiTypes.STR, enum=["md", "pdf"], description="Default md.")],
    responses={
        (200, "text/markdown"): OpenApiResponse(OpenApiTypes.STR, description="The report in Markdown."),
        (200, "application/pdf"): OpenApiResponse(OpenApiTypes.BINARY, description="The report as PDF."),
        403: OpenApiResponse(description="Your role may not see cases."),
        404: OpenApiResponse(description="No such case."),
    },
)
class CaseReportView(APIView):
    """Summary and hand-off, questions with answers, who answered, the assistant's
    suggestions and evidence, criteria and recommendation (with any override reason),
    observables with enrichment, the containment ledger, the timeline and the resolution."""

    permission_classes = [require_perm("cases.view_case")]
    renderer_classes = [JSONRenderer]

    def perform_content_negotiation(self, request, force=False):
        # Errors answer JSON like the rest of the API; `format` picks the report's format
        # (read in get(), not by DRF's format override, which would want a renderer per format).
        return JSONRenderer(), JSONRenderer.media_type

    def get(self, request, pk: int):
        wanted = request.query_params.get("format", "md")
        if wanted not in FORMATS:
            raise ValidationError({"format": [f"Choose one of: {', '.join(FORMATS)}."]})
        case = selectors.get_case_for_user(request.user, pk)
        report = collect(case)
        name = f"{case.reference}-report"
        if wanted == "pdf":
            response = HttpResponse(render_pdf(report), content_type="application/pdf")
            response["Content-Disposition"] = f'attachment; filename="{name}.pdf"'
        else:
            response = HttpResponse(render_markdown(report), content_type="text/markdown; charset=utf-8")
            response["Content-Disposition"] = f'attachment; filename="{name}.md"'
        # Attacker-controlled text inside: never let a browser sniff it into HTML.
        response["X-Content-Type-Options"] = "nosniff"
        return response
