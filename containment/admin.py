"""Admin: actions are read-only here (their life goes through the services and the
timeline); blocklist entries can be inspected."""

from django.contrib import admin

from soc.admin import ViewOnlyAdmin

from .models import BlocklistEntry, ContainmentAction


@admin.register(ContainmentAction)
class ContainmentActionAdmin(ViewOnlyAdmin):
    list_display = [
        "id",
        "case",
        "kind",
        "target",
        "connector",
        "status",
        "attempts",
        "requested_by",
        "created_at",
    ]
    list_filter = ["status", "kind", "connector"]
    search_fields = ["target", "case__reference"]
    list_select_related = ["case", "requested_by"]

    # Whoever works or approves containment may read the list (a SOC manager has no model
    # "view" permission of its own; without this the list answered 403).
    def has_view_permission(self, request, obj=None):
        user = request.user
        return super().has_view_permission(request, obj) or user.has_perm("containment.request_action")

    def has_module_permission(self, request):
        return super().has_module_permission(request) or request.user.has_perm("containment.request_action")


@admin.register(BlocklistEntry)
class BlocklistEntryAdmin(admin.ModelAdmin):
    list_display = ["network", "action", "comment", "added_at", "expires_at", "removed_at"]
    search_fields = ["network", "comment"]
    list_filter = ["removed_at"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
