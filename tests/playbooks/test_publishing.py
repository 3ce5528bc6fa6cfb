"""Publishing, new drafts, and the immutability of published versions by every model path."""

import pytest
from django.db import IntegrityError, transaction
from django.utils import timezone

from playbooks.models import PlaybookItem, PlaybookVersion, PublishedVersionIsImmutable
from playbooks.services import (
    current_version_for_technique,
    playbook_version_new_draft,
    playbook_version_publish,
)
from soc.errors import Conflict, Unprocessable

pytestmark = pytest.mark.django_db

Status = PlaybookVersion.Status


def test_new_draft_copies_fields_and_items(seed_playbook, manager):
    draft = playbook_version_new_draft(version=seed_playbook, by=manager)
    assert (draft.number, draft.status, draft.created_by) == (2, Status.DRAFT, manager)
    assert (draft.technique_id, draft.name, draft.tactic, draft.tactic_id) == (
        seed_playbook.technique_id,
        seed_playbook.name,
        seed_playbook.tactic,
        seed_playbook.tactic_id,
    )

    def content(v):
        return list(
            v.items.order_by("section", "order").values_list("section", "order", "text", "assist", "action")
        )

    assert content(draft) == content(seed_playbook)
    assert draft.is_editable and not seed_playbook.is_editable


def test_publishing_a_draft_retires_the_previous_and_new_cases_would_pin_it(seed_playbook, manager):
    draft = playbook_version_new_draft(version=seed_playbook, by=manager)
    item = draft.items.get(section="question", order=1)
    item.text = "Does the activity come from an address on a known list?"
    item.save()
    assert current_version_for_technique("T1591.002") == seed_playbook

    published = playbook_version_publish(version=draft, by=manager)

    assert published.status == Status.PUBLISHED
    assert published.published_by == manager and published.published_at is not None
    seed_playbook.refresh_from_db()
    assert seed_playbook.status == Status.RETIRED and seed_playbook.retired_at is not None
    assert (
        PlaybookVersion.objects.filter(playbook=seed_playbook.playbook, status=Status.PUBLISHED).count() == 1
    )
    pinned = current_version_for_technique("T1591.002")
    assert pinned == published
    assert pinned.items.get(section="question", order=1).text.startswith(
        "Does the activity come from an address"
    )
    # The retired version still holds the question that older cases were asked.
    assert seed_playbook.items.get(section="question", order=1).text == (
        "Does the activity come from legitimate or known IPs?"
    )


def test_only_a_draft_can_be_published(seed_playbook, manager):
    with pytest.raises(Conflict):
        playbook_version_publish(version=seed_playbook, by=manager)
    draft = playbook_version_new_draft(version=seed_playbook, by=manager)
    playbook_version_publish(version=draft, by=manager)
    seed_playbook.refresh_from_db()
    with pytest.raises(Conflict):  # retired
        playbook_version_publish(version=seed_playbook, by=manager)


def test_a_draft_without_questions_cannot_be_published(seed_playbook, manager):
    draft = playbook_version_new_draft(version=seed_playbook, by=manager)
    draft.items.filter(section="question").delete()
    with pytest.raises(Unprocessable, match="Questions for analysis"):
        playbook_version_publish(version=draft, by=manager)
    draft.refresh_from_db()
    assert draft.status == Status.DRAFT
    assert current_version_for_technique("T1591.002") == seed_playbook


def test_the_database_refuses_two_published_versions(seed_playbook, manager):
    draft = playbook_version_new_draft(version=seed_playbook, by=manager)
    with pytest.raises(IntegrityError), transaction.atomic():
        PlaybookVersion.objects.filter(pk=draft.pk).update(
            status=Status.PUBLISHED, published_at=timezone.now()
        )


def test_the_database_refuses_unknown_keys(seed_playbook, manager):
    draft = playbook_version_new_draft(version=seed_playbook, by=manager)
    with pytest.raises(IntegrityError), transaction.atomic():
        draft.items.filter(section="question", order=1).update(assist="crystal_ball")
    with pytest.raises(IntegrityError), transaction.atomic():
        draft.items.filter(section="containment_step", order=1).update(action="nuke_from_orbit")


# --- immutability: every model path refuses --------------------------------------------


def _frozen_paths(version):
    item = version.items.get(section="question", order=1)
    items = PlaybookItem.objects.filter(version=version)
    versions = PlaybookVersion.objects.filter(pk=version.pk)

    def save_version():
        v = PlaybookVersion.objects.get(pk=version.pk)
        v.name = "Renamed"
        v.save()

    def save_item():
        item.text = "Changed?"
        item.save()

    def move_item_to_a_draft():
        draft = PlaybookVersion.objects.filter(status=Status.DRAFT).first()
        item.version = draft
        item.order = 99
        item.save()

    def bulk_update_items():
        item.text = "Changed?"
        PlaybookItem.objects.bulk_update([item], ["text"])

    def add_item():
        PlaybookItem.objects.create(version=version, section="question", order=9, text="New?")

    def bulk_add_item():
        PlaybookItem.objects.bulk_create(
            [PlaybookItem(version=version, section="question", order=9, text="New?")]
        )

    return {
        "version.save": save_version,
        "version.delete": lambda: PlaybookVersion.objects.get(pk=version.pk).delete(),
        "versions.update(name)": lambda: versions.update(name="Renamed"),
        "versions.update(status=draft)": lambda: versions.update(status=Status.DRAFT),
        "versions.delete": lambda: versions.delete(),
        "item.save": save_item,
        "item.delete": lambda: item.delete(),
        "item moved out": move_item_to_a_draft,
        "items.update": lambda: items.update(text="Changed?"),
        "items.bulk_update": bulk_update_items,
        "items.delete": lambda: items.delete(),
        "item create": add_item,
        "items.bulk_create": bulk_add_item,
    }


@pytest.mark.parametrize(
    "path",
    [
        "version.save",
        "version.delete",
        "versions.update(name)",
        "versions.update(status=draft)",
        "versions.delete",
        "item.save",
        "item.delete",
        "item moved out",
        "items.update",
        "items.bulk_update",
        "items.delete",
        "item create",
        "items.bulk_create",
    ],
)
@pytest.mark.parametrize("status", [Status.PUBLISHED, Status.RETIRED])
def test_a_frozen_version_cannot_be_changed_by_any_model_path(seed_playbook, manager, path, status):
    draft = playbook_version_new_draft(version=seed_playbook, by=manager)
    if status == Status.RETIRED:
        playbook_version_publish(version=draft, by=manager)
        playbook_version_new_draft(version=draft, by=manager)  # a draft to move items into
    seed_playbook.refresh_from_db()
    assert seed_playbook.status == status
    before = list(seed_playbook.items.values_list("pk", "section", "order", "text", "assist", "action"))

    # bulk_update runs inside atomic(savepoint=False): isolate it so the test can go on.
    with pytest.raises(PublishedVersionIsImmutable), transaction.atomic():
        _frozen_paths(seed_playbook)[path]()

    stored = PlaybookVersion.objects.get(pk=seed_playbook.pk)
    assert (stored.status, stored.name) == (status, seed_playbook.name)
    assert list(stored.items.values_list("pk", "section", "order", "text", "assist", "action")) == before


def test_a_draft_is_freely_editable(seed_playbook, manager):
    draft = playbook_version_new_draft(version=seed_playbook, by=manager)
    draft.name = "Renamed"
    draft.save()
    draft.items.filter(section="t2_action").update(text="Review it.")
    PlaybookItem.objects.create(version=draft, section="question", order=5, text="Is it new?")
    draft.items.filter(section="key_indicator").delete()
    assert draft.items.filter(section="t2_action", text="Review it.").count() == 3
    draft.delete()
    assert not PlaybookVersion.objects.filter(pk=draft.pk).exists()


def test_the_immutability_error_is_a_conflict_for_the_api(seed_playbook):
    with pytest.raises(Conflict) as excinfo:
        seed_playbook.items.update(text="x")
    assert excinfo.value.status == 409


def test_model_validation_rejects_unknown_keys_with_a_clear_message(seed_playbook, manager):
    from django.core.exceptions import ValidationError

    draft = playbook_version_new_draft(version=seed_playbook, by=manager)
    item = PlaybookItem(version=draft, section="question", order=9, text="New?", assist="crystal_ball")
    with pytest.raises(ValidationError) as excinfo:
        item.full_clean()
    assert "Value 'crystal_ball' is not a valid choice." in excinfo.value.message_dict["assist"]
    item.assist, item.action = "", "nuke_from_orbit"
    with pytest.raises(ValidationError) as excinfo:
        item.full_clean()
    assert "action" in excinfo.value.message_dict


def test_a_version_must_carry_its_playbooks_technique_id(seed_playbook, manager):
    from django.core.exceptions import ValidationError

    draft = playbook_version_new_draft(version=seed_playbook, by=manager)
    draft.technique_id = "T1592"
    with pytest.raises(ValidationError, match="must carry that technique id"):
        draft.full_clean()


def test_cases_opened_after_publishing_pin_the_new_version_and_old_cases_keep_theirs(
    seed_playbook, manager, make_case
):
    before = make_case()
    draft = playbook_version_new_draft(version=seed_playbook, by=manager)
    published = playbook_version_publish(version=draft, by=manager)
    after = make_case()
    before.refresh_from_db()
    assert before.playbook_version == seed_playbook
    assert after.playbook_version == published
