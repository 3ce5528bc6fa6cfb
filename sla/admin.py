"""SLA targets in the admin, for SOC managers (change permission through the role)."""

from django.contrib import admin
from django.db import transaction

from .models import SlaPolicy
from .services import policy_changed


@admin.register(SlaPolicy)
class SlaPolicyAdmin(admin.ModelAdmin):
    list_display = [
        "severity",
        "acknowledge_minutes",
        "t2_pickup_minutes",
        "containment_minutes",
        "resolution_minutes",
        "clock",
        "updated_at",
    ]
    list_editable = [
        "acknowledge_minutes",
        "t2_pickup_minutes",
        "containment_minutes",
        "resolution_minutes",
        "clock",
    ]
    readonly_fields = ["updated_at"]

    def has_add_permission(self, request):
        return False  # one policy per severity, created from the settings on first read

    def has_delete_permission(self, request, obj=None):
        return False

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        transaction.on_commit(policy_changed)
