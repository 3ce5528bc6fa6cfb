"""Admin for ingestion: sources (tokens issued, rotated and revoked here), alerts and
observables. Alert content is attacker-controlled; the admin shows it escaped, as text."""

from django.contrib import admin, messages
from django.utils.translation import ngettext

from cases.ingest.tokens import ingest_source_revoke, ingest_token_assign, ingest_token_rotate
from cases.models import Alert, AlertObservable, ApiToken, Case, CaseEvent, IngestSource, Observable
from soc.admin import ViewOnlyAdmin


@admin.register(IngestSource)
class IngestSourceAdmin(admin.ModelAdmin):
    list_display = [
        "name",
        "is_active",
        "token_hint",
        "alert_count",
        "last_seen_at",
        "created_at",
        "rotated_at",
    ]
    list_filter = ["is_active"]
    search_fields = ["name"]
    readonly_fields = [
        "token_hint",
        "is_active",
        "alert_count",
        "last_seen_at",
        "created_at",
        "rotated_at",
        "revoked_at",
    ]
    actions = ["rotate_tokens", "revoke_sources"]

    def get_fields(self, request, obj=None):
        if obj is None:
            return ["name", "allowed_networks"]
        return ["name", "allowed_networks", *self.readonly_fields]

    def save_model(self, request, obj, form, change):
        token = None if change else ingest_token_assign(obj)
        super().save_model(request, obj, form, change)
        if token:
            self.message_user(
                request,
                f"Token for {obj.name} (shown only once, store it in the SIEM now): {token}",
                messages.WARNING,
            )

    def has_delete_permission(self, request, obj=None):
        # Alerts reference their source (PROTECT); revoke instead of deleting.
        return False

    @admin.action(description="Rotate the token (the old one stops working)", permissions=["change"])
    def rotate_tokens(self, request, queryset):
        for source in queryset:
            token = ingest_token_rotate(source=source)
            self.message_user(
                request, f"New token for {source.name} (shown only once): {token}", messages.WARNING
            )

    @admin.action(description="Revoke (requests with the token get 401)", permissions=["change"])
    def revoke_sources(self, request, queryset):
        sources = list(queryset.filter(is_active=True))
        for source in sources:
            ingest_source_revoke(source=source)
        self.message_user(
            request,
            ngettext("Revoked %d ingest source.", "Revoked %d ingest sources.", len(sources)) % len(sources),
            messages.SUCCESS,
        )


class AlertObservableInline(admin.TabularInline):
    model = AlertObservable
    extra = 0
    can_delete = False
    fields = ["observable", "role"]
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        return False


class ReadOnlyRecordAdmin(admin.ModelAdmin):
    """Records Vigil writes through its services (alerts, cases): viewable in the admin,
    never added, edited or deleted there."""

    def get_readonly_fields(self, request, obj=None):
        return [f.name for f in self.model._meta.fields]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Alert)
class AlertAdmin(ReadOnlyRecordAdmin):
    """Read-only: alerts are what the SIEM sent; nothing edits them."""

    list_display = ["source_ref", "title", "source", "severity", "technique_id", "observed_at", "case"]
    list_filter = ["source", "severity", "technique_id"]
    search_fields = ["source_ref", "title"]
    date_hierarchy = "observed_at"
    list_select_related = ["source", "case"]
    raw_id_fields = ["case"]
    inlines = [AlertObservableInline]


@admin.register(Observable)
class ObservableAdmin(admin.ModelAdmin):
    list_display = ["type", "value", "is_internal", "first_seen_at", "enriched_at"]
    list_filter = ["type", "is_internal"]
    search_fields = ["value"]
    readonly_fields = ["type", "value", "is_internal", "enrichment", "enriched_at", "first_seen_at"]

    def has_add_permission(self, request):
        return False


# --- Cases and their timeline (workflow). Read-only: every change to a case goes through
# cases.services.workflow, which checks the actor and writes the timeline.


class CaseEventInline(admin.TabularInline):
    model = CaseEvent
    extra = 0
    can_delete = False
    fields = ["created_at", "verb", "actor", "actor_source", "data"]
    readonly_fields = fields
    ordering = ["created_at", "id"]

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("actor", "actor_source")

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Case)
class CaseAdmin(ReadOnlyRecordAdmin):
    list_display = ["reference", "title", "severity", "status", "tier", "assignee", "opened_at", "sla_due_at"]
    list_filter = ["status", "severity", "tier", "technique_id"]
    search_fields = ["reference", "title"]
    date_hierarchy = "opened_at"
    list_select_related = ["assignee"]
    inlines = [CaseEventInline]


@admin.register(CaseEvent)
class CaseEventAdmin(ViewOnlyAdmin):
    """The audit trail, append-only: viewable, never editable."""

    list_display = ["created_at", "case", "verb", "actor", "actor_source"]
    list_filter = ["verb"]
    search_fields = ["case__reference"]
    list_select_related = ["case", "actor", "actor_source"]
    raw_id_fields = ["case"]


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    """Personal tokens: seen (with their last use) and revoked here, created on the profile."""

    _facts = ["token_hint", "read_only", "created_at", "last_used_at", "expires_at", "revoked_at"]
    list_display = ["name", "user", *_facts]
    list_filter = ["read_only"]
    search_fields = ["name", "user__username"]
    readonly_fields = ["user", "name", *_facts]
    fields = readonly_fields
    actions = ["revoke_tokens"]

    def has_add_permission(self, request):
        return False

    def has_module_permission(self, request):
        return request.user.is_superuser

    def has_view_permission(self, request, obj=None):
        return request.user.is_superuser

    def has_change_permission(self, request, obj=None):
        return request.user.is_superuser

    @admin.action(description="Revoke the selected tokens")
    def revoke_tokens(self, request, queryset):
        from cases.services.tokens import user_token_revoke

        for token in queryset.filter(revoked_at__isnull=True):
            user_token_revoke(token=token, by=request.user, request=request)
        self.message_user(request, "Revoked.", messages.SUCCESS)
