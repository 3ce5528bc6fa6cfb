"""Analyst pages: the playbook library and one playbook as readable checklists.

Read-only for every analyst role (playbooks.view_playbook); editing happens in the admin
editor, which only playbook editors reach.
"""

from django.contrib.auth.decorators import permission_required
from django.db.models import Count
from django.http import Http404
from django.shortcuts import get_object_or_404, render

from . import attack
from .models import Playbook, PlaybookItem, PlaybookVersion


@permission_required("playbooks.view_playbook", raise_exception=True)
def playbook_list(request):
    query = request.GET.get("q", "").strip()
    tactic = request.GET.get("tactic", "").strip()
    playbooks = list(Playbook.objects.for_list().search(query).with_tactic(tactic))
    return render(
        request,
        "playbooks/playbook_list.html",
        {
            "playbooks": playbooks,
            "query": query,
            "tactic": tactic,
            "tactics": attack.all_tactics(),
            "can_edit": request.user.has_perm("playbooks.edit_playbooks"),
        },
    )


def get_version_for_user(request, technique_id: str) -> PlaybookVersion:
    """The version a reader asked for: published by default, ``?version=N`` otherwise."""
    normalized = attack.normalize_technique_id(technique_id)
    if normalized is None:
        raise Http404("Not a technique id.")
    versions = PlaybookVersion.objects.filter(playbook__technique_id=normalized).select_related(
        "playbook", "published_by", "created_by"
    )
    number = request.GET.get("version", "")
    if not number:
        return get_object_or_404(versions.published())
    if not number.isdigit():
        raise Http404("Not a version number.")
    return get_object_or_404(versions, number=int(number))


@permission_required("playbooks.view_playbook", raise_exception=True)
def playbook_detail(request, technique_id: str):
    version = get_version_for_user(request, technique_id)
    items = list(version.items.all())
    sections = [
        {"key": key, "label": label, "items": [i for i in items if i.section == key]}
        for key, label in PlaybookItem.Section.choices
    ]
    versions = version.playbook.versions.annotate(case_count=Count("cases")).order_by("-number")
    return render(
        request,
        "playbooks/playbook_detail.html",
        {
            "version": version,
            "sections": sections,
            "versions": versions,
            "technique": attack.lookup(version.technique_id),
            "attack_version": attack.attack_version(),
            "can_edit": request.user.has_perm("playbooks.edit_playbooks"),
        },
    )
