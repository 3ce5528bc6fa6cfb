"""The playbook API: list, one version with its items by section, export, import.

Reads need playbooks.view_playbook (every analyst role); import and coverage changes
need playbooks.edit_playbooks (SOC Manager, superusers). Ingest tokens get 403 everywhere.
Writes to published versions are impossible here: the import only ever creates new
versions, and `PATCH /playbooks/{id}/` changes only the coverage (routing, not content).
"""

from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.urls import reverse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import exceptions, status
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.renderers import BaseRenderer, JSONRenderer
from rest_framework.response import Response
from rest_framework.views import APIView

from soc.api import NOT_AUTHENTICATED, StandardPagination, error_response
from soc.permissions import require_perm

from . import serializers as s
from .attack import normalize_technique_id
from .exporters import CONTENT_TYPES, export_filename, export_version, version_as_dict
from .importers import PlaybookFormatError
from .models import Playbook, PlaybookVersion
from .services import import_playbook_text, set_playbook_coverage

CanRead = require_perm("playbooks.view_playbook")
CanEdit = require_perm("playbooks.edit_playbooks")

ERRORS = {
    401: NOT_AUTHENTICATED,
    403: error_response("Your role (or an ingest token) may not do this."),
    404: error_response("No such playbook or version."),
}
VERSION_PARAM = OpenApiParameter(
    "version", OpenApiTypes.INT, description="A version number; default: the published version."
)


def get_version(technique_id: str, number: str | None) -> PlaybookVersion:
    """The published version, or version N; 404 for a bad id, no playbook or no such version."""
    normalized = normalize_technique_id(technique_id)
    if normalized is None:
        raise Http404
    versions = PlaybookVersion.objects.filter(playbook__technique_id=normalized).select_related("playbook")
    if number in (None, ""):
        return get_object_or_404(versions.published())
    try:
        return get_object_or_404(versions, number=int(number))
    except ValueError:
        raise Http404 from None


@extend_schema(tags=["playbooks"])
class PlaybookListView(APIView):
    """Every playbook with its current (published) version and how many cases use it.
    Filter with `q` (technique id or name) and `tactic` (id such as TA0043, or name)."""

    permission_classes = [CanRead]

    @extend_schema(
        parameters=[
            OpenApiParameter("q", OpenApiTypes.STR, description="Technique id or name contains."),
            OpenApiParameter("tactic", OpenApiTypes.STR, description="Tactic id or name."),
            OpenApiParameter("page", OpenApiTypes.INT, description="Page number (50 per page)."),
            OpenApiParameter("page_size", OpenApiTypes.INT, description="Up to 500."),
        ],
        operation_id="v1_playbooks_list",
        responses={200: s.PlaybookPageOutput, **ERRORS},
    )
    def get(self, request):
        playbooks = (
            Playbook.objects.for_list()
            .search(request.query_params.get("q", ""))
            .with_tactic(request.query_params.get("tactic", ""))
        )
        paginator = StandardPagination()
        page = paginator.paginate_queryset(list(playbooks), request, view=self)
        return paginator.get_paginated_response(
            s.PlaybookListOutput([_list_row(p) for p in page], many=True).data
        )


def _list_row(playbook: Playbook) -> dict:
    current = playbook.current_version()
    return {
        "technique_id": playbook.technique_id,
        "name": current.name if current else None,
        "tactic": current.tactic if current else None,
        "tactic_id": current.tactic_id if current else None,
        "current_version": current.number if current else None,
        "version_count": playbook.version_count,
        "case_count": playbook.case_count,
        "url": reverse("api-playbook-detail", args=[playbook.technique_id]),
    }


@extend_schema(tags=["playbooks"])
class PlaybookDetailView(APIView):
    """The published version (or `?version=N`) with its items grouped by section in work
    order, the list of versions, and what the ATT&CK catalogue knows about the id."""

    permission_classes = [CanRead]

    def get_permissions(self):
        if self.request.method == "PATCH":
            return [CanEdit()]
        return super().get_permissions()

    @extend_schema(
        operation_id="v1_playbooks_retrieve",
        parameters=[VERSION_PARAM],
        responses={200: s.VersionDetailOutput, **ERRORS},
    )
    def get(self, request, technique_id: str):
        version = get_version(technique_id, request.query_params.get("version"))
        data = version_as_dict(version)
        data["versions"] = list(
            version.playbook.versions.order_by("number").values("number", "status", "published_at")
        )
        data["attack"] = s.attack_info(version.technique_id)
        data["covers"] = list(version.playbook.covers or [])
        return Response(s.VersionDetailOutput(data).data)

    @extend_schema(
        operation_id="v1_playbooks_coverage_update",
        request=s.CoverageInput,
        responses={
            200: s.CoverageOutput,
            400: error_response("An id that is not a catalogue technique."),
            **ERRORS,
        },
        description="Set the related techniques this playbook covers (SOC managers). Alerts of "
        "covered techniques are routed to it and correlate into its cases. Creates no version.",
    )
    def patch(self, request, technique_id: str):
        normalized = normalize_technique_id(technique_id)
        playbook = get_object_or_404(Playbook, technique_id=normalized) if normalized else None
        if playbook is None:
            raise Http404
        given = s.CoverageInput(data=request.data)
        given.is_valid(raise_exception=True)
        try:
            set_playbook_coverage(playbook, given.validated_data["covers"], by=request.user)
        except DjangoValidationError as exc:
            raise exceptions.ValidationError(exc.message_dict) from exc
        return Response(
            s.CoverageOutput({"technique_id": playbook.technique_id, "covers": playbook.covers}).data
        )


class _TextRenderer(BaseRenderer):
    """Passes an export's text through; error bodies (dicts) are rendered as JSON."""

    charset = "utf-8"

    def render(self, data, accepted_media_type=None, renderer_context=None):
        if isinstance(data, str):
            return data.encode("utf-8")
        return JSONRenderer().render(data)


class MarkdownRenderer(_TextRenderer):
    media_type = "text/markdown"
    format = "markdown"


class ExportJSONRenderer(_TextRenderer):
    media_type = "application/json"
    format = "json"


class CacaoRenderer(_TextRenderer):
    media_type = "application/json"
    format = "cacao"


@extend_schema(tags=["playbooks"])
class PlaybookExportView(APIView):
    """Download a version as seed-format markdown (re-imports unchanged), JSON, or an
    OASIS CACAO v2.0 playbook of its containment steps."""

    permission_classes = [CanRead]
    # `?format=` selects the renderer (DRF's format override), so each format is one.
    renderer_classes = [MarkdownRenderer, ExportJSONRenderer, CacaoRenderer]

    def handle_exception(self, exc):
        response = super().handle_exception(exc)
        response.content_type = "application/json"  # errors keep the API's JSON shape
        return response

    @extend_schema(
        parameters=[
            OpenApiParameter(
                "format", OpenApiTypes.STR, enum=["markdown", "json", "cacao"], default="markdown"
            ),
            VERSION_PARAM,
        ],
        responses={
            (200, "text/markdown"): OpenApiTypes.STR,
            (200, "application/json"): OpenApiTypes.OBJECT,
            **{(code, "application/json"): response for code, response in ERRORS.items()},
        },
    )
    def get(self, request, technique_id: str):
        version = get_version(technique_id, request.query_params.get("version"))
        fmt = request.accepted_renderer.format
        response = Response(export_version(version, fmt), content_type=CONTENT_TYPES[fmt])
        response["Content-Disposition"] = f'attachment; filename="{export_filename(version, fmt)}"'
        return response


@extend_schema(tags=["playbooks"])
class PlaybookImportView(APIView):
    """Import one seed-format file (JSON `text` or a multipart `file`). Identical content
    creates nothing (200); new content creates a version (201), published when `publish`.
    A malformed file answers 400 naming the problem and saves nothing."""

    permission_classes = [CanEdit]
    parser_classes = [JSONParser, MultiPartParser, FormParser]

    @extend_schema(
        request=s.ImportInput,
        responses={
            200: s.ImportOutput,
            201: s.ImportOutput,
            400: error_response("Malformed file (code invalid_playbook)."),
            **ERRORS,
        },
    )
    def post(self, request):
        payload = s.ImportInput(data=request.data)
        payload.is_valid(raise_exception=True)
        data = payload.validated_data
        if data.get("file"):
            upload = data["file"]
            filename = upload.name
            try:
                text = upload.read().decode("utf-8-sig")
            except UnicodeDecodeError:
                raise PlaybookFormatError(filename, "not UTF-8 text.") from None
        else:
            filename, text = data["filename"], data["text"]
        result = import_playbook_text(text, filename=filename, publish=data["publish"], by=request.user)
        body = {
            "technique_id": result.version.technique_id,
            "version": result.version.number,
            "status": result.version.status,
            "created": result.created,
            "published": result.published,
            "warnings": result.warnings,
        }
        return Response(
            s.ImportOutput(body).data,
            status=status.HTTP_201_CREATED if result.created else status.HTTP_200_OK,
        )
