"""Downloading an evidence file (cases.models.evidence).

The content is attacker-controlled, so it is never rendered by the browser: always a
download (`Content-Disposition: attachment`), `application/octet-stream` whatever the
sender declared, `X-Content-Type-Options: nosniff`, and a sandboxing CSP in case a
browser renders it anyway.
"""

from django.contrib.auth.decorators import permission_required
from django.http import FileResponse
from django.shortcuts import get_object_or_404
from django.views.decorators.http import require_GET

from cases import selectors
from cases.models import AlertAttachment


@require_GET
@permission_required("cases.view_case", raise_exception=True)
def evidence_download(request, pk: int, attachment_pk: int):
    case = selectors.get_case_for_user(request.user, pk)
    attachment = get_object_or_404(AlertAttachment, pk=attachment_pk, alert__case=case)
    response = FileResponse(
        attachment.file.open("rb"),
        as_attachment=True,
        filename=attachment.name,
        content_type="application/octet-stream",
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "sandbox; default-src 'none'"
    return response
