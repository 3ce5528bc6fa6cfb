"""Playbooks: a technique's guidance as structured, versioned data.

A Playbook is the identity (one per ATT&CK technique id); its PlaybookVersions are
numbered and move draft -> published -> retired. A published version is immutable, so a
case pinned to it always shows the questions that were asked; editing starts a new draft.
"""

import re

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q

from soc.db import status_has_time
from soc.errors import Conflict

from .registry import ActionKey, AssistKey, Section

TECHNIQUE_ID_RE = re.compile(r"^T\d{4}(\.\d{3})?$")


def validate_technique_id(value: str) -> None:
    if not TECHNIQUE_ID_RE.match(value or ""):
        raise ValidationError(
            "%(value)s is not an ATT&CK technique id (T followed by 4 digits, optional .3 digits).",
            params={"value": value},
            code="invalid_technique",
        )


class PublishedVersionIsImmutable(Conflict):
    """Raised by any write that would change a published or retired version (409 in the API)."""

    code = "published_version_immutable"


class PlaybookQuerySet(models.QuerySet):
    def with_current_version(self):
        published = PlaybookVersion.objects.filter(status=PlaybookVersion.Status.PUBLISHED)
        return self.prefetch_related(
            models.Prefetch("versions", queryset=published, to_attr="published_versions")
        )

    def for_list(self):
        """Rows for the list page and API: current version prefetched, cases counted.

        ``case_count`` counts cases pinned to any version of the playbook (a case keeps
        the version it was opened with, so retired versions still have cases).
        """
        return self.with_current_version().annotate(
            case_count=models.Count("versions__cases", distinct=True),
            version_count=models.Count("versions", distinct=True),
        )

    def with_tactic(self, tactic: str):
        """Playbooks whose published version has this tactic (id such as TA0043, or name)."""
        tactic = (tactic or "").strip()
        if not tactic:
            return self
        published = PlaybookVersion.objects.filter(
            Q(tactic_id__iexact=tactic) | Q(tactic__iexact=tactic),
            playbook=models.OuterRef("pk"),
            status=PlaybookVersion.Status.PUBLISHED,
        )
        return self.filter(models.Exists(published))

    def search(self, query: str):
        """Technique id (with or without the dot) or words of the current name."""
        query = (query or "").strip()
        if not query:
            return self
        compact = query.upper().replace(".", "")
        # Exists, not a join: a join would also narrow the case counts of for_list().
        named = PlaybookVersion.objects.filter(playbook=models.OuterRef("pk"), name__icontains=query)
        condition = Q(technique_id__icontains=query) | Q(models.Exists(named))
        if len(compact) >= 5 and compact[0] == "T" and compact[1:].isdigit():
            normalized = f"{compact[:5]}.{compact[5:]}" if len(compact) > 5 else compact
            condition |= Q(technique_id__startswith=normalized)
        return self.filter(condition)


class Playbook(models.Model):
    technique_id = models.CharField(
        max_length=9, unique=True, validators=[validate_technique_id], help_text="e.g. T1591.002"
    )
    # Routing, not content: which other techniques' alerts this playbook handles (a listed
    # parent covers its sub-techniques). Not versioned; set through
    # services.set_playbook_coverage (playbooks/coverage.py holds the matching rule).
    covers = models.JSONField(
        default=list,
        blank=True,
        help_text="Related ATT&CK technique ids this playbook also covers, e.g. T1656, T1566, T1110.",
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects = PlaybookQuerySet.as_manager()

    class Meta:
        ordering = ["technique_id"]
        permissions = [("edit_playbooks", "Can edit, publish and import playbooks")]

    def __str__(self) -> str:
        current = self.current_version()
        return f"{self.technique_id} {current.name}" if current else self.technique_id

    def current_version(self):
        """The published version, or None. Uses the prefetch from with_current_version()."""
        if hasattr(self, "published_versions"):
            return self.published_versions[0] if self.published_versions else None
        return self.versions.filter(status=PlaybookVersion.Status.PUBLISHED).first()


# The only columns a status move may touch on a frozen version (services.py).
STATUS_MOVE_FIELDS = frozenset({"status", "published_at", "published_by", "retired_at", "content_hash"})


class PlaybookVersionQuerySet(models.QuerySet):
    def published(self):
        return self.filter(status=PlaybookVersion.Status.PUBLISHED)

    def _frozen(self):
        return self.exclude(status=PlaybookVersion.Status.DRAFT)

    def update(self, **kwargs):
        """Refuse bulk edits of published/retired rows, except the forward status moves.

        Moving a frozen version back to draft would unfreeze it, so that is refused too.
        """
        touches_content = set(kwargs) - STATUS_MOVE_FIELDS
        back_to_draft = kwargs.get("status") == PlaybookVersion.Status.DRAFT
        if (touches_content or back_to_draft) and self._frozen().exists():
            raise PublishedVersionIsImmutable("A published or retired version cannot be changed.")
        return super().update(**kwargs)

    def delete(self):
        if self._frozen().exists():
            raise PublishedVersionIsImmutable("A published or retired version cannot be deleted.")
        return super().delete()


class PlaybookVersion(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft"
        PUBLISHED = "published"
        RETIRED = "retired"

    playbook = models.ForeignKey(Playbook, on_delete=models.PROTECT, related_name="versions")
    number = models.PositiveIntegerField()
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.DRAFT, db_index=True)
    technique_id = models.CharField(max_length=9, validators=[validate_technique_id])
    name = models.CharField(max_length=255)
    tactic = models.CharField(max_length=100, blank=True)
    tactic_id = models.CharField(max_length=10, blank=True, help_text="e.g. TA0043")
    source_text = models.TextField(blank=True, help_text="The text this version was imported from.")
    content_hash = models.CharField(max_length=64, blank=True, db_index=True)
    extra = models.JSONField(default=dict, blank=True, help_text="Rows the importer did not know.")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    published_at = models.DateTimeField(null=True, blank=True)
    retired_at = models.DateTimeField(null=True, blank=True)

    objects = PlaybookVersionQuerySet.as_manager()

    class Meta:
        ordering = ["playbook", "-number"]
        constraints = [
            models.UniqueConstraint(fields=["playbook", "number"], name="playbook_version_number_unique"),
            models.UniqueConstraint(
                fields=["playbook"],
                condition=Q(status="published"),
                name="playbook_one_published_version",
            ),
            status_has_time("published", "published_at", name="published_version_has_published_at"),
        ]

    def __str__(self) -> str:
        return f"{self.technique_id} v{self.number} ({self.status})"

    @property
    def is_editable(self) -> bool:
        return self.status == self.Status.DRAFT

    def clean(self):
        super().clean()
        if self.playbook_id and self.technique_id and self.technique_id != self.playbook.technique_id:
            raise ValidationError(
                {"technique_id": f"A version of {self.playbook.technique_id} must carry that technique id."}
            )

    def save(self, *args, **kwargs):
        # The one write allowed on a frozen version is the status move itself, done by
        # services with update(); any save() of a non-draft row that already exists is refused.
        if self.pk and not kwargs.pop("allow_frozen", False):
            stored = PlaybookVersion.objects.filter(pk=self.pk).values_list("status", flat=True).first()
            if stored and stored != self.Status.DRAFT:
                raise PublishedVersionIsImmutable(f"{self} is {stored}; create a new draft to edit it.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        if self.status != self.Status.DRAFT:
            raise PublishedVersionIsImmutable(f"{self} is {self.status}; it cannot be deleted.")
        return super().delete(*args, **kwargs)


class PlaybookItemQuerySet(models.QuerySet):
    def update(self, **kwargs):
        if self.exclude(version__status=PlaybookVersion.Status.DRAFT).exists():
            raise PublishedVersionIsImmutable("Items of a published version cannot be changed.")
        return super().update(**kwargs)

    def delete(self):
        if self.exclude(version__status=PlaybookVersion.Status.DRAFT).exists():
            raise PublishedVersionIsImmutable("Items of a published version cannot be deleted.")
        return super().delete()

    def bulk_create(self, objs, *args, **kwargs):
        objs = list(objs)
        version_ids = {obj.version_id for obj in objs}
        if PlaybookVersion.objects.filter(pk__in=version_ids)._frozen().exists():
            raise PublishedVersionIsImmutable("Items cannot be added to a published version.")
        return super().bulk_create(objs, *args, **kwargs)


class PlaybookItem(models.Model):
    Section = Section  # playbooks.registry.Section, which the pure modules (importers) read

    version = models.ForeignKey(PlaybookVersion, on_delete=models.CASCADE, related_name="items")
    section = models.CharField(max_length=24, choices=Section.choices)
    order = models.PositiveIntegerField(default=0)
    text = models.TextField()
    assist = models.CharField(max_length=32, choices=AssistKey.choices, blank=True)
    action = models.CharField(max_length=32, choices=ActionKey.choices, blank=True)

    objects = PlaybookItemQuerySet.as_manager()

    class Meta:
        ordering = ["version", "section", "order"]
        constraints = [
            models.UniqueConstraint(
                fields=["version", "section", "order"], name="playbook_item_position_unique"
            ),
            # Unknown keys are refused by the database too, not only by forms and the importer.
            models.CheckConstraint(
                condition=Q(assist="") | Q(assist__in=AssistKey.values),
                name="playbook_item_assist_known",
                violation_error_message="Unknown assist key.",
            ),
            models.CheckConstraint(
                condition=Q(action="") | Q(action__in=ActionKey.values),
                name="playbook_item_action_known",
                violation_error_message="Unknown action key.",
            ),
            models.CheckConstraint(condition=~Q(text=""), name="playbook_item_text_not_empty"),
        ]

    def __str__(self) -> str:
        return f"{self.get_section_display()} #{self.order}: {self.text[:60]}"

    def _check_version_is_draft(self) -> None:
        # Both the version it belongs to now and the one it is stored under: moving an
        # item out of a published version changes that version too.
        version_ids = {self.version_id}
        if self.pk:
            version_ids |= set(PlaybookItem.objects.filter(pk=self.pk).values_list("version_id", flat=True))
        if PlaybookVersion.objects.filter(pk__in=version_ids)._frozen().exists():
            raise PublishedVersionIsImmutable("Items of a published version cannot be changed.")

    def save(self, *args, **kwargs):
        self._check_version_is_draft()
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        self._check_version_is_draft()
        return super().delete(*args, **kwargs)
