"""Admin building blocks the apps share (this module registers nothing)."""

from django.contrib import admin


class ViewOnlyMixin:
    """Rows Vigil writes only through its services (audit trails, containment actions,
    playbook versions): the admin lists and shows them, and never adds, changes or deletes
    one. Without the change permission Django shows every field read-only.

    The signatures take `obj` so that the mixin serves inlines as well as model admins."""

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class ViewOnlyAdmin(ViewOnlyMixin, admin.ModelAdmin):
    pass


class ViewOnlyTabularInline(ViewOnlyMixin, admin.TabularInline):
    pass
