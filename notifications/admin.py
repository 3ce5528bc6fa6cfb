"""Vigil's name on the admin, and the notifications' outbox for inspection."""

from django.contrib import admin

from .models import Delivery, Notification

admin.site.site_header = "Vigil administration"
admin.site.site_title = "Vigil admin"
admin.site.index_title = "Vigil"


@admin.register(Notification)
class NotificationAdmin(admin.ModelAdmin):
    list_display = ["id", "user", "kind", "case", "title", "created_at", "read_at"]
    list_filter = ["kind"]
    list_select_related = ["user", "case"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(Delivery)
class DeliveryAdmin(admin.ModelAdmin):
    list_display = ["id", "notification", "channel", "status", "attempts", "created_at", "sent_at"]
    list_filter = ["status", "channel"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
