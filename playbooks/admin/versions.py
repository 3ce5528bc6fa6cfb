"""The version page: a draft's items edited section by section; publish, new draft,
export, diff and import as admin actions and views."""

import io
import zipfile

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db.models import Count, F
from django.http import HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.translation import ngettext

from soc.errors import DomainError

from .. import attack
from ..diff import version_diff
from ..exporters import CONTENT_TYPES, FORMATS, export_filename, export_version
from ..forms import PlaybookImportForm, PlaybookVersionForm, SectionItemFormSet
from ..importers import PlaybookFormatError
from ..models import PlaybookItem, PlaybookVersion
from ..services import import_playbook_text, playbook_version_new_draft, playbook_version_publish
from .items import SECTION_INLINES, can_edit, frozen_message

# What a draft's page edits besides its items; the rest of `fields` is shown read-only.
EDITABLE_FIELDS = ("name", "tactic", "tactic_id")


@admin.register(PlaybookVersion)
class PlaybookVersionAdmin(admin.ModelAdmin):
    list_display = ["technique_id", "number", "name", "tactic", "status", "published_at", "item_count"]
    list_display_links = ["technique_id", "number"]
    list_filter = ["status", "tactic"]
    search_fields = ["technique_id", "name"]
    ordering = ["technique_id", "-number"]
    inlines = SECTION_INLINES
    form = PlaybookVersionForm
    fields = [
        "technique_id",
        "number",
        "status",
        "name",
        "tactic",
        "tactic_id",
        "extra",
        "created_by",
        "created_at",
        "published_by",
        "published_at",
        "retired_at",
        "content_hash",
        "source_text",
    ]
    readonly_fields = [name for name in fields if name not in EDITABLE_FIELDS]
    actions = ["publish_selected", "new_draft_selected", "export_markdown", "export_json"]
    change_form_template = "playbooks/admin/version_change_form.html"
    change_list_template = "playbooks/admin/version_change_list.html"

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(_item_count=Count("items"))

    @admin.display(description="Items", ordering="_item_count")
    def item_count(self, obj):
        return obj._item_count

    def get_search_results(self, request, queryset, search_term):
        normalized = attack.normalize_technique_id(search_term)
        if normalized:  # "T1591002" finds T1591.002
            return queryset.filter(technique_id=normalized), False
        return super().get_search_results(request, queryset, search_term)

    # --- permissions: editors only, drafts only -----------------------------------------

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return (
            can_edit(request)
            and super().has_change_permission(request, obj)
            and (obj is None or obj.is_editable)
        )

    def has_delete_permission(self, request, obj=None):
        return (
            can_edit(request)
            and super().has_delete_permission(request, obj)
            and (obj is None or obj.is_editable)
        )

    def get_actions(self, request):
        actions = super().get_actions(request)
        actions.pop("delete_selected", None)  # drafts are deleted one by one from their page
        if not can_edit(request):
            actions.pop("publish_selected", None)
            actions.pop("new_draft_selected", None)
        return actions

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        version = self.get_object(request, object_id) if object_id else None
        if version is not None and not version.is_editable:
            if request.method == "POST":
                self.message_user(request, frozen_message(version), messages.ERROR)
                return HttpResponseRedirect(request.path)
            if can_edit(request):
                self.message_user(request, frozen_message(version), messages.INFO)
        extra_context = {**(extra_context or {}), "can_edit_playbooks": can_edit(request), "formats": FORMATS}
        if version is not None:
            extra_context["other_versions"] = version.playbook.versions.exclude(pk=version.pk).order_by(
                "-number"
            )
        return super().changeform_view(request, object_id, form_url, extra_context)

    def save_model(self, request, obj, form, change):
        try:
            super().save_model(request, obj, form, change)
        except DomainError as exc:  # a publish raced this edit: the version froze meanwhile
            raise PermissionDenied(exc.message) from exc

    def save_formset(self, request, form, formset, change):
        if isinstance(formset, SectionItemFormSet):
            # Move reordered or deleted items out of the way first, so swapping two
            # positions does not trip the (version, section, order) unique constraint.
            moving = [
                f.instance.pk
                for f in formset.initial_forms
                if f.instance.pk and ("order" in f.changed_data or f in formset.deleted_forms)
            ]
            if moving:
                PlaybookItem.objects.filter(pk__in=moving).update(order=F("order") + 1_000_000)
        super().save_formset(request, form, formset, change)

    # --- actions ----------------------------------------------------------------------------

    @admin.action(description="Publish the selected drafts")
    def publish_selected(self, request, queryset):
        if not can_edit(request):
            raise PermissionDenied
        done = 0
        for version in queryset.order_by("technique_id", "number"):
            try:
                playbook_version_publish(version=version, by=request.user)
                self.log_change(request, version, "Published.")
                done += 1
            except DomainError as exc:
                self.message_user(request, exc.message, messages.ERROR)
        if done:
            self.message_user(
                request, ngettext("Published %d version.", "Published %d versions.", done) % done
            )

    @admin.action(description="New draft from the selected versions")
    def new_draft_selected(self, request, queryset):
        if not can_edit(request):
            raise PermissionDenied
        for version in queryset:
            draft = playbook_version_new_draft(version=version, by=request.user)
            self.log_addition(request, draft, f"New draft from version {version.number}.")
            self.message_user(request, f"Created draft version {draft.number} of {draft.technique_id}.")

    def _export(self, queryset, fmt: str):
        versions = list(queryset.select_related("playbook"))
        if len(versions) == 1:
            response = HttpResponse(export_version(versions[0], fmt), content_type=CONTENT_TYPES[fmt])
            response["Content-Disposition"] = f'attachment; filename="{export_filename(versions[0], fmt)}"'
            return response
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
            for version in versions:
                archive.writestr(export_filename(version, fmt), export_version(version, fmt))
        response = HttpResponse(buffer.getvalue(), content_type="application/zip")
        response["Content-Disposition"] = f'attachment; filename="playbooks-{fmt}.zip"'
        return response

    @admin.action(description="Export the selected versions as markdown")
    def export_markdown(self, request, queryset):
        return self._export(queryset, "markdown")

    @admin.action(description="Export the selected versions as JSON")
    def export_json(self, request, queryset):
        return self._export(queryset, "json")

    # --- extra pages --------------------------------------------------------------------------

    def get_urls(self):
        wrap = self.admin_site.admin_view
        return [
            path("import/", wrap(self.import_view), name="playbooks_playbookversion_import"),
            path("<int:pk>/publish/", wrap(self.publish_view), name="playbooks_playbookversion_publish"),
            path(
                "<int:pk>/new-draft/", wrap(self.new_draft_view), name="playbooks_playbookversion_new_draft"
            ),
            path(
                "<int:pk>/export/<str:fmt>/", wrap(self.export_view), name="playbooks_playbookversion_export"
            ),
            path("<int:pk>/diff/", wrap(self.diff_view), name="playbooks_playbookversion_diff"),
            *super().get_urls(),
        ]

    def _version_or_403(self, request, pk: int, *, edit: bool) -> PlaybookVersion:
        if not self.has_view_permission(request) or (edit and not can_edit(request)):
            raise PermissionDenied
        return get_object_or_404(PlaybookVersion.objects.select_related("playbook"), pk=pk)

    def _change_url(self, version) -> str:
        return reverse("admin:playbooks_playbookversion_change", args=[version.pk])

    def publish_view(self, request, pk: int):
        version = self._version_or_403(request, pk, edit=True)
        if request.method != "POST":
            return HttpResponseRedirect(self._change_url(version))
        try:
            version = playbook_version_publish(version=version, by=request.user)
        except DomainError as exc:
            self.message_user(request, exc.message, messages.ERROR)
        else:
            self.log_change(request, version, "Published.")
            self.message_user(
                request,
                f"Published version {version.number} of {version.technique_id}; cases opened from now on use it.",
            )
        return HttpResponseRedirect(self._change_url(version))

    def new_draft_view(self, request, pk: int):
        version = self._version_or_403(request, pk, edit=True)
        if request.method != "POST":
            return HttpResponseRedirect(self._change_url(version))
        draft = playbook_version_new_draft(version=version, by=request.user)
        self.log_addition(request, draft, f"New draft from version {version.number}.")
        self.message_user(request, f"Created draft version {draft.number} from version {version.number}.")
        return HttpResponseRedirect(self._change_url(draft))

    def export_view(self, request, pk: int, fmt: str):
        version = self._version_or_403(request, pk, edit=False)
        if fmt not in FORMATS:
            raise PermissionDenied(f"Unknown export format {fmt!r}.")
        return self._export(PlaybookVersion.objects.filter(pk=version.pk), fmt)

    def diff_view(self, request, pk: int):
        version = self._version_or_403(request, pk, edit=False)
        others = version.playbook.versions.exclude(pk=version.pk).order_by("-number")
        against_pk = request.GET.get("against", "")
        if against_pk.isdigit():
            other = get_object_or_404(others, pk=int(against_pk))
        else:  # default: the version before this one, else the newest other one
            other = others.filter(number__lt=version.number).first() or others.first()
        old, new = (other, version) if other is None or other.number < version.number else (version, other)
        lines = version_diff(old, new) if other is not None else []
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": f"Changes in {version.technique_id}",
            "version": version,
            "old": old,
            "new": new,
            "other": other,
            "others": others,
            "lines": lines,
            "changed": sum(1 for line in lines if line.op != " "),
        }
        return TemplateResponse(request, "playbooks/admin/version_diff.html", context)

    def import_view(self, request):
        if not can_edit(request):
            raise PermissionDenied
        form = PlaybookImportForm(request.POST or None, request.FILES or None)
        results = []
        if request.method == "POST" and form.is_valid():
            for upload in form.cleaned_data["files"]:
                try:
                    text = upload.read().decode("utf-8-sig")
                    result = import_playbook_text(
                        text, filename=upload.name, publish=form.cleaned_data["publish"], by=request.user
                    )
                except UnicodeDecodeError:
                    results.append({"ok": False, "message": f"{upload.name}: not UTF-8 text."})
                except PlaybookFormatError as exc:
                    results.append({"ok": False, "message": exc.message})
                else:
                    if result.created:
                        self.log_addition(request, result.version, f"Imported from {upload.name}.")
                    results.append(
                        {
                            "ok": True,
                            "message": f"{upload.name}: {result.summary}",
                            "warnings": result.warnings,
                            "url": self._change_url(result.version),
                        }
                    )
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": "Import playbooks",
            "form": form,
            "results": results,
        }
        return TemplateResponse(request, "playbooks/admin/import.html", context)
