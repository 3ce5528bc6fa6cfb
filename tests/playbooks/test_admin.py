"""The playbook editor in the admin: editors only, drafts only, publish / new draft /
export / diff / import, and clear refusals for published versions and unknown keys."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from playbooks.models import PlaybookItem, PlaybookVersion
from playbooks.services import current_version_for_technique, playbook_version_new_draft
from tests.conftest import PASSWORD, make_user

pytestmark = pytest.mark.django_db

CHANGELIST = reverse("admin:playbooks_playbookversion_changelist")
IMPORT = reverse("admin:playbooks_playbookversion_import")


def change_url(version):
    return reverse("admin:playbooks_playbookversion_change", args=[version.pk])


def login(client, user):
    assert client.login(username=user.username, password=PASSWORD)
    return client


def form_data(response) -> dict:
    """The POST body the change page would send unchanged: fields and every inline."""
    adminform = response.context["adminform"].form
    data = {}
    for name, field in adminform.fields.items():
        value = adminform.initial.get(name, field.initial)
        data[name] = "" if value is None else value
    if "extra" in data and not isinstance(data["extra"], str):
        import json

        data["extra"] = json.dumps(data["extra"])
    for inline in response.context["inline_admin_formsets"]:
        formset = inline.formset
        management = formset.management_form
        for name in ("TOTAL_FORMS", "INITIAL_FORMS", "MIN_NUM_FORMS", "MAX_NUM_FORMS"):
            data[f"{formset.prefix}-{name}"] = management.initial.get(name, management[name].value())
        for form in formset.initial_forms:
            for name in ("id", "version", "order", "text", "assist", "action"):
                value = form.initial.get(name, form[name].value() if name in form.fields else "")
                if name == "version":
                    value = form.instance.version_id
                data[f"{form.prefix}-{name}"] = "" if value is None else value
    return data


def field_key(data, section, order):
    """The form prefix of an item in the POST body (e.g. 'items-3-1')."""
    for key, value in data.items():
        if key.endswith("-id") and value:
            item = PlaybookItem.objects.get(pk=value)
            if item.section == section and item.order == order:
                return key[: -len("-id")]
    raise KeyError((section, order))


# --- who may enter -------------------------------------------------------------------


def test_analysts_and_outsiders_cannot_reach_the_editor(seed_playbook, client, l1, t2, outsider):
    for user in (l1, t2, outsider):
        client.logout()
        login(client, user)
        response = client.get(change_url(seed_playbook))
        assert response.status_code == 302 and "/admin/login/" in response["Location"]
        assert client.get(IMPORT).status_code == 302


def test_staff_without_the_editor_permission_gets_403(seed_playbook, client, django_user_model):
    staff = make_user(django_user_model, "staff_only", None, is_staff=True)
    login(client, staff)
    assert client.get(change_url(seed_playbook)).status_code == 403
    assert client.get(IMPORT).status_code == 403
    url = reverse("admin:playbooks_playbookversion_new_draft", args=[seed_playbook.pk])
    assert client.post(url).status_code == 403
    assert PlaybookVersion.objects.count() == 1


def test_manager_lists_searches_and_filters(seed_playbook, client, manager):
    login(client, manager)
    assert client.get(CHANGELIST).status_code == 200
    assert client.get(CHANGELIST, {"q": "T1591002"}).context["cl"].result_count == 1
    assert client.get(CHANGELIST, {"q": "Business Relationships"}).context["cl"].result_count == 1
    assert client.get(CHANGELIST, {"q": "T1003"}).context["cl"].result_count == 0
    assert client.get(CHANGELIST, {"status__exact": "published"}).context["cl"].result_count == 1
    assert client.get(CHANGELIST, {"tactic": "Impact"}).context["cl"].result_count == 0
    playbooks = reverse("admin:playbooks_playbook_changelist")
    assert client.get(playbooks, {"tactic": "TA0043"}).context["cl"].result_count == 1


# --- published versions are refused ----------------------------------------------------


def test_a_published_version_page_is_read_only_and_a_post_is_refused(seed_playbook, client, manager):
    login(client, manager)
    page = client.get(change_url(seed_playbook))
    assert page.status_code == 200
    assert page.context["has_change_permission"] is False
    assert "cannot be changed" in page.content.decode()
    body = {"name": "Hijacked", "items-TOTAL_FORMS": "0", "items-INITIAL_FORMS": "0"}
    response = client.post(change_url(seed_playbook), body, follow=True)
    assert "Version 1 of T1591.002 is published and cannot be changed" in response.content.decode()
    seed_playbook.refresh_from_db()
    assert seed_playbook.name == "Gather Victim Org Information: Business Relationships"


# --- editing a draft -----------------------------------------------------------------------


def test_manager_edits_a_draft_inline_then_publishes_it_and_new_cases_would_pin_it(
    seed_playbook, client, manager
):
    login(client, manager)
    response = client.post(reverse("admin:playbooks_playbookversion_new_draft", args=[seed_playbook.pk]))
    draft = PlaybookVersion.objects.get(number=2)
    assert response["Location"] == change_url(draft)

    page = client.get(change_url(draft))
    sections = [inline.formset.prefix for inline in page.context["inline_admin_formsets"]]
    assert len(sections) == 7  # one inline per section
    data = form_data(page)
    q1, q2 = field_key(data, "question", 1), field_key(data, "question", 2)
    data[f"{q1}-text"] = "Is the source address on a known list?"
    data[f"{q1}-order"], data[f"{q2}-order"] = 2, 1  # swap two positions
    data["_save"] = "Save"
    response = client.post(change_url(draft), data)
    assert response.status_code == 302, response.context["errors"] if response.context else response
    questions = list(draft.items.filter(section="question").order_by("order").values_list("text", flat=True))
    assert questions[:2] == [
        "Is there evidence of reconnaissance or probing?",
        "Is the source address on a known list?",
    ]

    client.post(reverse("admin:playbooks_playbookversion_publish", args=[draft.pk]))
    draft.refresh_from_db()
    seed_playbook.refresh_from_db()
    assert draft.status == PlaybookVersion.Status.PUBLISHED
    assert seed_playbook.status == PlaybookVersion.Status.RETIRED
    assert current_version_for_technique("T1591.002") == draft


def test_unknown_keys_are_rejected_by_the_editor(seed_playbook, client, manager):
    draft = playbook_version_new_draft(version=seed_playbook, by=manager)
    login(client, manager)
    data = form_data(client.get(change_url(draft)))
    data[f"{field_key(data, 'question', 1)}-assist"] = "crystal_ball"
    data["_save"] = "Save"
    response = client.post(change_url(draft), data)
    assert response.status_code == 200
    assert (
        "Select a valid choice. crystal_ball is not one of the available choices."
        in response.content.decode()
    )
    assert draft.items.get(section="question", order=1).assist == "ip_reputation"


def test_duplicate_positions_are_refused_with_a_message(seed_playbook, client, manager):
    draft = playbook_version_new_draft(version=seed_playbook, by=manager)
    login(client, manager)
    data = form_data(client.get(change_url(draft)))
    data[f"{field_key(data, 'question', 2)}-order"] = 1
    data["_save"] = "Save"
    response = client.post(change_url(draft), data)
    assert "Two items have position 1" in response.content.decode()


# --- actions, export, diff, import -------------------------------------------------------


def test_export_from_the_admin_reimports_to_the_same_version(seed_playbook, client, manager):
    login(client, manager)
    url = reverse("admin:playbooks_playbookversion_export", args=[seed_playbook.pk, "markdown"])
    response = client.get(url)
    assert response["Content-Disposition"] == 'attachment; filename="T1591.002-v1.md"'
    upload = SimpleUploadedFile("again.md", response.content)
    result = client.post(IMPORT, {"files": [upload], "publish": "on"})
    assert "unchanged (identical to version 1, published)" in result.content.decode()
    assert PlaybookVersion.objects.count() == 1


def test_export_action_for_several_versions_is_a_zip(seed_playbook, client, manager):
    playbook_version_new_draft(version=seed_playbook, by=manager)
    login(client, manager)
    ids = list(PlaybookVersion.objects.values_list("pk", flat=True))
    response = client.post(CHANGELIST, {"action": "export_json", "_selected_action": ids})
    assert response["Content-Type"] == "application/zip"


def test_publish_and_new_draft_actions(seed_playbook, client, manager):
    login(client, manager)
    client.post(CHANGELIST, {"action": "new_draft_selected", "_selected_action": [seed_playbook.pk]})
    draft = PlaybookVersion.objects.get(number=2)
    response = client.post(
        CHANGELIST,
        {"action": "publish_selected", "_selected_action": [draft.pk, seed_playbook.pk]},
        follow=True,
    )
    html = response.content.decode()
    assert "Published 1 version." in html
    assert "only a draft can be published" in html
    assert current_version_for_technique("T1591.002") == draft


def test_diff_view_shows_what_changed(seed_playbook, client, manager):
    draft = playbook_version_new_draft(version=seed_playbook, by=manager)
    draft.items.filter(section="t2_action", order=3).update(text="Compare with last month's baseline.")
    login(client, manager)
    response = client.get(reverse("admin:playbooks_playbookversion_diff", args=[draft.pk]))
    lines = [(line.op, line.text) for line in response.context["lines"] if line.op != " "]
    assert lines == [
        (
            "-",
            "T2 analyst actions 3: Validate any anomalies found in system or application logs against historical data.",
        ),
        ("+", "T2 analyst actions 3: Compare with last month's baseline."),
    ]
    assert "last month&#x27;s baseline" in response.content.decode()


def test_import_upload_reports_each_file_and_saves_nothing_from_a_bad_one(seed_text, client, manager):
    login(client, manager)
    good = SimpleUploadedFile("good.md", seed_text.encode())
    bad = SimpleUploadedFile("bad.md", b"# nothing - T1591002\n")
    response = client.post(IMPORT, {"files": [bad, good], "publish": "on"})
    html = response.content.decode()
    assert "bad.md: no markdown table of playbook rows was found." in html
    assert "good.md: T1591.002: created version 1 (published)" in html
    assert PlaybookVersion.objects.count() == 1
    assert client.post(IMPORT, {"files": [SimpleUploadedFile("x.pdf", b"%PDF")]}).status_code == 200
    assert PlaybookVersion.objects.count() == 1


def test_an_unknown_tactic_id_is_refused(seed_playbook, client, manager):
    draft = playbook_version_new_draft(version=seed_playbook, by=manager)
    login(client, manager)
    data = form_data(client.get(change_url(draft)))
    data.update({"tactic_id": "TA9999", "_save": "Save"})
    response = client.post(change_url(draft), data)
    assert "TA9999 is not an ATT&amp;CK tactic id" in response.content.decode()
    data.update({"tactic": "", "tactic_id": "ta0040"})
    assert client.post(change_url(draft), data).status_code == 302
    draft.refresh_from_db()
    assert (draft.tactic, draft.tactic_id) == ("Impact", "TA0040")


def test_editor_actions_leave_admin_log_entries(seed_playbook, client, manager):
    from django.contrib.admin.models import LogEntry

    login(client, manager)
    client.post(reverse("admin:playbooks_playbookversion_new_draft", args=[seed_playbook.pk]))
    draft = PlaybookVersion.objects.get(number=2)
    client.post(reverse("admin:playbooks_playbookversion_publish", args=[draft.pk]))
    messages = list(
        LogEntry.objects.filter(user=manager).order_by("pk").values_list("object_id", "change_message")
    )
    assert messages == [(str(draft.pk), "New draft from version 1."), (str(draft.pk), "Published.")]
