from django.contrib import admin

from soc.admin import ViewOnlyAdmin

from .models import ExternalIdentity, SignInEvent


@admin.register(SignInEvent)
class SignInEventAdmin(ViewOnlyAdmin):
    """The audit log, read-only (superusers; the CSV export is at /accounts/sign-in-events/?format=csv)."""

    list_display = ["created_at", "kind", "username", "ip_address"]
    list_filter = ["kind"]
    search_fields = ["username", "ip_address"]
    date_hierarchy = "created_at"

    def has_module_permission(self, request):
        return request.user.is_superuser

    def has_view_permission(self, request, obj=None):
        return request.user.is_superuser


@admin.register(ExternalIdentity)
class ExternalIdentityAdmin(admin.ModelAdmin):
    list_display = ["user", "issuer", "subject", "last_sign_in_at"]
    readonly_fields = ["user", "issuer", "subject", "created_at", "last_sign_in_at"]
    search_fields = ["user__username", "subject"]
