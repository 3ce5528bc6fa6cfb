"""Attaching a playbook by hand to a case that has none (T2 analysts, SOC managers)."""

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import permission_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect
from django.views.decorators.http import require_POST

from cases import selectors
from cases.services.playbook_attach import can_attach_playbook, case_attach_playbook
from playbooks.models import PlaybookVersion
from soc.errors import DomainError

from ._common import flash_domain_error, form_error_text


class AttachPlaybookForm(forms.Form):
    version = forms.ModelChoiceField(
        queryset=PlaybookVersion.objects.published().order_by("technique_id"),
        label="Playbook",
        to_field_name="technique_id",
        empty_label=None,
    )


def attach_playbook_form(case, user) -> AttachPlaybookForm | None:
    """The form the case page shows, or None (a playbook already pinned, or not allowed)."""
    if case.playbook_version_id or not case.is_open or not can_attach_playbook(user, case):
        return None
    return AttachPlaybookForm()


@require_POST
@permission_required("cases.view_case", raise_exception=True)
def case_playbook_attach(request, pk: int):
    """POST /cases/<pk>/playbook/ {version: technique id} -> case_attach_playbook (PRG)."""
    if not can_attach_playbook(request.user):
        raise PermissionDenied("Only a T2 analyst or a SOC manager may attach a playbook.")
    case = selectors.get_case_for_user(request.user, pk)
    if not can_attach_playbook(request.user, case):
        raise PermissionDenied("Only the case's assignee or a SOC manager may attach a playbook.")
    form = AttachPlaybookForm(request.POST)
    if not form.is_valid():
        messages.error(request, form_error_text(form))
    else:
        try:
            case_attach_playbook(case=case, version=form.cleaned_data["version"], by=request.user)
        except DomainError as exc:
            flash_domain_error(request, exc)
        else:
            messages.success(
                request, f"{case.reference} now follows {form.cleaned_data['version'].technique_id}."
            )
    return redirect("cases:detail", pk=case.pk)
