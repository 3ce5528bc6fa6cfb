"""Every write to playbooks: import, publish, new draft. Reads that encode a rule too.

A published version is frozen (models.py guards save/delete/update); the only changes
to a non-draft row are the status moves made here with conditional updates, under a
lock on the playbook row so two publishes of the same playbook serialise.
"""

import logging
from dataclasses import dataclass, field

from django.contrib.admin.models import CHANGE, LogEntry
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from soc.errors import Conflict, Unprocessable

from . import attack, routing
from .coverage import Coverage, InvalidCoverage, covering, normalise_covers
from .importers import ITEM_FIELDS, ParsedPlaybook, content_hash, item_values, parse_playbook
from .models import Playbook, PlaybookItem, PlaybookVersion
from .registry import Section
from .signals import version_published

audit = logging.getLogger("playbooks.audit")


@dataclass
class ImportResult:
    version: PlaybookVersion
    created: bool
    warnings: list[str] = field(default_factory=list)
    published: bool = False  # this import published the version (new or existing draft)

    @property
    def summary(self) -> str:
        if self.created:
            state = "published" if self.version.status == PlaybookVersion.Status.PUBLISHED else "draft"
            return f"{self.version.technique_id}: created version {self.version.number} ({state})"
        if self.published:
            return f"{self.version.technique_id}: published existing draft version {self.version.number}"
        return (
            f"{self.version.technique_id}: unchanged (identical to version {self.version.number}, "
            f"{self.version.status})"
        )


def version_content_hash(version: PlaybookVersion) -> str:
    """The hash of a version's stored content (same function as for parsed files)."""
    return content_hash(
        technique_id=version.technique_id,
        name=version.name,
        tactic=version.tactic,
        tactic_id=version.tactic_id,
        items=[item_values(i) for i in version.items.order_by("section", "order")],
        extra=version.extra,
    )


def _lock_playbook(technique_id: str, *, create: bool) -> Playbook | None:
    if create:
        Playbook.objects.get_or_create(technique_id=technique_id)
    return Playbook.objects.select_for_update().filter(technique_id=technique_id).first()


@transaction.atomic
def import_playbook_text(text: str, *, filename: str, publish: bool, by) -> ImportResult:
    """Import one file's text. Idempotent by content: identical content creates nothing.

    Changed content becomes a new version, published when ``publish`` (retiring the
    previous one) else a draft. Raises PlaybookFormatError before any write when the
    text is malformed, so a bad file saves nothing.
    """
    parsed = parse_playbook(text, filename=filename)
    playbook = _lock_playbook(parsed.technique_id, create=True)
    wanted = parsed.content_hash
    versions = list(playbook.versions.all())
    # Prefer the published version when several carry the same content.
    versions.sort(key=lambda v: (v.status != PlaybookVersion.Status.PUBLISHED, -v.number))
    for existing in versions:
        stored_hash = existing.content_hash if not existing.is_editable else version_content_hash(existing)
        if stored_hash != wanted:
            continue
        warnings = list(parsed.warnings)
        published = False
        if publish and existing.status == PlaybookVersion.Status.DRAFT:
            existing = playbook_version_publish(version=existing, by=by)
            published = True
        elif publish and existing.status == PlaybookVersion.Status.RETIRED:
            warnings.append(
                f"identical to retired version {existing.number}; not republished "
                "(create a new draft from it in the admin to bring it back)."
            )
        return ImportResult(version=existing, created=False, warnings=warnings, published=published)

    version = _create_version(playbook, parsed, source_text=text, items=parsed.items, by=by)
    if publish:
        version = playbook_version_publish(version=version, by=by)
    return ImportResult(version=version, created=True, warnings=list(parsed.warnings), published=publish)


def _next_number(playbook: Playbook) -> int:
    last = playbook.versions.order_by("-number").values_list("number", flat=True).first()
    return (last or 0) + 1


def _create_version(
    playbook: Playbook, content: "ParsedPlaybook | PlaybookVersion", *, source_text: str, items, by
) -> PlaybookVersion:
    """The playbook's next version with `content`'s fields (a parsed file, or the version a
    draft copies) and a copy of `items` (anything with section, order, text, assist, action)."""
    version = PlaybookVersion.objects.create(
        playbook=playbook,
        number=_next_number(playbook),
        technique_id=content.technique_id,
        name=content.name,
        tactic=content.tactic,
        tactic_id=content.tactic_id,
        source_text=source_text,
        content_hash=content.content_hash,
        extra=content.extra,
        created_by=by,
    )
    PlaybookItem.objects.bulk_create(
        PlaybookItem(version=version, **dict(zip(ITEM_FIELDS, item_values(item), strict=True)))
        for item in items
    )
    return version


@transaction.atomic
def playbook_version_publish(*, version: PlaybookVersion, by) -> PlaybookVersion:
    """Publish a draft and retire the playbook's previously published version.

    Cases opened afterwards pin the new version; cases already open keep theirs.
    Refuses a version that is not a draft (409) or that lacks questions or escalation
    criteria (422), since L1 cannot work a case without them.
    """
    _lock_playbook(version.playbook.technique_id, create=False)
    current = PlaybookVersion.objects.get(pk=version.pk)
    if current.status != PlaybookVersion.Status.DRAFT:
        raise Conflict(
            f"{current} is {current.status}; only a draft can be published.",
            current_status=current.status,
        )
    sections = set(current.items.values_list("section", flat=True))
    missing = [
        label
        for value, label in PlaybookItem.Section.choices
        if value in (Section.QUESTION, Section.ESCALATION_CRITERION) and value not in sections
    ]
    if missing:
        raise Unprocessable(f"{current} cannot be published without: {', '.join(missing)}.")
    for item in current.items.all():
        try:
            item.full_clean(exclude=["version"])  # unknown keys, blank text: refuse before freezing
        except ValidationError as exc:
            raise Unprocessable(f"{current} cannot be published: {item}: {exc.messages[0]}") from exc

    now = timezone.now()
    PlaybookVersion.objects.filter(
        playbook_id=current.playbook_id, status=PlaybookVersion.Status.PUBLISHED
    ).update(status=PlaybookVersion.Status.RETIRED, retired_at=now)
    PlaybookVersion.objects.filter(pk=current.pk, status=PlaybookVersion.Status.DRAFT).update(
        status=PlaybookVersion.Status.PUBLISHED,
        published_at=now,
        published_by=by,
        content_hash=version_content_hash(current),
    )
    current.refresh_from_db()
    routing.invalidate()
    # Cases opened before this playbook existed get it (cases.receivers), after commit.
    transaction.on_commit(lambda: version_published.send(sender=PlaybookVersion, version=current))
    return current


@transaction.atomic
def playbook_version_new_draft(*, version: PlaybookVersion, by) -> PlaybookVersion:
    """A new draft copying a version's fields and items: the way to edit a published one."""
    playbook = _lock_playbook(version.playbook.technique_id, create=False)
    source = PlaybookVersion.objects.get(pk=version.pk)
    return _create_version(playbook, source, source_text=source.source_text, items=source.items.all(), by=by)


def current_version_for_technique(technique_id: str) -> PlaybookVersion | None:
    """The published version a new case for this technique pins.

    A sub-technique without its own playbook falls back to its parent's
    (T1591.002 -> T1591). Ids are normalised first ("T1591002" works).
    """
    normalized = attack.normalize_technique_id(technique_id or "")
    if normalized is None:
        return None
    candidates = [normalized]
    if "." in normalized:
        candidates.append(normalized.split(".")[0])
    published = {
        v.playbook.technique_id: v
        for v in PlaybookVersion.objects.published()
        .filter(playbook__technique_id__in=candidates)
        .select_related("playbook")
    }
    for candidate in candidates:
        if candidate in published:
            return published[candidate]
    return None


@transaction.atomic
def set_playbook_coverage(playbook: Playbook, covers, *, by) -> Playbook:
    """Set the related techniques a playbook covers (routing only: no new version).

    Ids are validated against the ATT&CK catalogue and stored upper-case, without repeats,
    sorted. Raises ValidationError({"covers": [...]}) naming each bad id; writes an admin
    log entry (when `by` is a user) and an audit log line.
    """
    try:
        cleaned = normalise_covers(covers, own=playbook.technique_id)
    except InvalidCoverage as exc:
        raise ValidationError({"covers": exc.errors}) from exc
    locked = Playbook.objects.select_for_update().get(pk=playbook.pk)
    before = list(locked.covers or [])
    Playbook.objects.filter(pk=locked.pk).update(covers=cleaned)
    playbook.covers = cleaned
    routing.invalidate()
    published = PlaybookVersion.objects.published().filter(playbook=locked).first()
    if published is not None and set(cleaned) - set(before):
        # Covering more: open cases of the new techniques without a playbook get this one.
        transaction.on_commit(lambda: version_published.send(sender=Playbook, version=published))
    if before != cleaned:
        message = f"Coverage: {', '.join(before) or 'none'} -> {', '.join(cleaned) or 'none'}"
        if getattr(by, "is_authenticated", False):
            LogEntry.objects.log_actions(
                user_id=by.pk,
                queryset=[playbook],
                action_flag=CHANGE,
                change_message=message,
                single_object=True,
            )
        audit.info(
            "%s set coverage of %s: %s", getattr(by, "username", "system"), playbook.technique_id, message
        )
    return playbook


def published_coverage() -> list[Coverage]:
    """Every playbook with a published version, with its coverage and that version's id."""
    return [
        Coverage(technique_id=technique, covers=tuple(covers or ()), version_id=version_id)
        for technique, covers, version_id in PlaybookVersion.objects.published()
        .order_by("playbook__technique_id")
        .values_list("playbook__technique_id", "playbook__covers", "pk")
    ]


def covering_version(technique_id: str) -> PlaybookVersion | None:
    """The published version of the playbook that covers this technique (coverage.py's
    rule: own technique, parent, listed technique, listed parent), or None."""
    normalized = attack.normalize_technique_id(technique_id or "")
    if normalized is None:
        return None
    found = covering(normalized, published_coverage())
    if found is None:
        return None
    return PlaybookVersion.objects.select_related("playbook").get(pk=found.version_id)
