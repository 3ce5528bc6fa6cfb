"""The playbook list: one row per technique with its current version, coverage edited
here; versions listed inline."""

from django.contrib import admin

from soc.admin import ViewOnlyTabularInline

from .. import attack
from ..forms import PlaybookCoverageForm
from ..models import Playbook, PlaybookVersion
from ..services import set_playbook_coverage


class TacticFilter(admin.SimpleListFilter):
    title = "tactic (published version)"
    parameter_name = "tactic"

    def lookups(self, request, model_admin):
        return [(t.id, f"{t.name} ({t.id})") for t in attack.all_tactics()]

    def queryset(self, request, queryset):
        return queryset.with_tactic(self.value()) if self.value() else queryset


class VersionInline(ViewOnlyTabularInline):
    model = PlaybookVersion
    fields = ["number", "status", "name", "published_at", "retired_at"]
    readonly_fields = fields
    show_change_link = True
    extra = 0
    ordering = ["-number"]


@admin.register(Playbook)
class PlaybookAdmin(admin.ModelAdmin):
    """The identities (a playbook appears when its first version is imported). Only the
    coverage is editable here, by editors: routing, saved without a new version."""

    list_display = [
        "technique_id",
        "current_name",
        "current_tactic",
        "current_number",
        "version_count",
        "covers_display",
    ]
    search_fields = ["technique_id", "versions__name"]
    list_filter = [TacticFilter]
    inlines = [VersionInline]
    form = PlaybookCoverageForm
    fields = ["technique_id", "covers", "created_at"]
    readonly_fields = ["technique_id", "created_at"]

    @admin.display(description="Also covers")
    def covers_display(self, obj):
        return ", ".join(obj.covers or []) or "—"

    def save_model(self, request, obj, form, change):
        # The service validates, normalises and writes the admin log entry itself.
        set_playbook_coverage(obj, form.cleaned_data["covers"], by=request.user)

    def log_change(self, request, obj, message):
        return None  # set_playbook_coverage logged the change (with before and after)

    def get_queryset(self, request):
        return super().get_queryset(request).for_list()

    def get_search_results(self, request, queryset, search_term):
        return queryset.search(search_term), False

    @admin.display(description="Name")
    def current_name(self, obj):
        current = obj.current_version()
        return current.name if current else "—"

    @admin.display(description="Tactic")
    def current_tactic(self, obj):
        current = obj.current_version()
        return current.tactic if current else "—"

    @admin.display(description="Published version")
    def current_number(self, obj):
        current = obj.current_version()
        return current.number if current else "—"

    @admin.display(description="Versions", ordering="version_count")
    def version_count(self, obj):
        return obj.version_count

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return request.user.has_perm("playbooks.edit_playbooks")

    def has_delete_permission(self, request, obj=None):
        return False
