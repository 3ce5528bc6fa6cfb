"""The section inlines of the version page: one per playbook section, in work order,
editable only on drafts and only by playbooks.edit_playbooks holders."""

from django.contrib import admin

from ..forms import SectionItemForm, SectionItemFormSet
from ..models import PlaybookItem, PlaybookVersion

EDIT_PERM = "playbooks.edit_playbooks"


def can_edit(request) -> bool:
    return request.user.is_active and request.user.has_perm(EDIT_PERM)


def frozen_message(version: PlaybookVersion) -> str:
    return (
        f"Version {version.number} of {version.technique_id} is {version.get_status_display().lower()} "
        "and cannot be changed. Use “New draft from this version”, edit the draft, then publish it."
    )


class ItemInline(admin.TabularInline):
    """Items of one section; subclasses below fix the section."""

    model = PlaybookItem
    form = SectionItemForm
    formset = SectionItemFormSet
    fields = ["order", "text", "assist", "action"]
    extra = 0
    section = ""

    def get_queryset(self, request):
        return super().get_queryset(request).filter(section=self.section).order_by("order")

    def _editable(self, request, obj) -> bool:
        return can_edit(request) and (obj is None or obj.is_editable)

    def has_add_permission(self, request, obj=None):
        return self._editable(request, obj)

    def has_change_permission(self, request, obj=None):
        return self._editable(request, obj)

    def has_delete_permission(self, request, obj=None):
        return self._editable(request, obj)

    def has_view_permission(self, request, obj=None):
        return request.user.has_perm("playbooks.view_playbookversion")


def _section_inline(section: str, label: str) -> type[ItemInline]:
    form = type(f"{section.title()}ItemForm", (SectionItemForm,), {"section_value": section})
    return type(
        f"{section.title().replace('_', '')}Inline",
        (ItemInline,),
        {"form": form, "section": section, "verbose_name": "item", "verbose_name_plural": label},
    )


SECTION_INLINES = [_section_inline(key, label) for key, label in PlaybookItem.Section.choices]
