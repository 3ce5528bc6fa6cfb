"""Task hooks and the cases registry: how the lower layers start work above them and the
upper apps plug into the case page and API, without an import pointing up."""

import pytest
from django.core.exceptions import ImproperlyConfigured

from cases import extensions
from containment.case_extensions import ACTIONS_FIELD, PANEL
from intel import hooks
from soc.hooks import TaskHook


class FakeTask:
    def __init__(self, name):
        self.name = name


def test_an_unprovided_hook_refuses_to_send():
    hook = TaskHook("do something")
    assert not hook.provided
    with pytest.raises(ImproperlyConfigured, match="No installed app provides the task to do something"):
        _ = hook.task


def test_a_hook_has_one_provider():
    hook = TaskHook("do something")
    first = FakeTask("a.tasks.one")
    hook.provide(first)
    hook.provide(first)  # ready() running again is harmless
    assert hook.task is first
    with pytest.raises(ImproperlyConfigured, match=r"a\.tasks\.one, b\.tasks\.two"):
        hook.provide(FakeTask("b.tasks.two"))


def test_the_system_checks_name_a_missing_provider(monkeypatch):
    assert extensions.check_hooks_provided() == []
    assert hooks.check_hooks_provided() == []
    monkeypatch.setattr(extensions, "REFRESH_CASE", TaskHook("refresh"), raising=True)
    monkeypatch.setattr(hooks, "REFRESH_OPEN_CASES", TaskHook("refresh all"), raising=True)
    assert [e.id for e in extensions.check_hooks_provided()] == ["cases.E001"]
    assert [e.id for e in hooks.check_hooks_provided()] == ["intel.E001"]


def test_enrichment_provides_the_hooks_of_cases_and_intel():
    assert extensions.ENRICH_ALERT.task.name == "enrichment.tasks.enrich_alert"
    assert extensions.REFRESH_CASE.task.name == "enrichment.tasks.refresh_case"
    assert hooks.REFRESH_OPEN_CASES.task.name == "enrichment.tasks.refresh_open_cases"


def test_containment_registers_its_panel_and_api_field_in_cases():
    assert PANEL in extensions.case_panels()
    assert ACTIONS_FIELD in extensions.case_detail_fields()


@pytest.mark.django_db
def test_the_case_page_shows_the_registered_panels(client, make_case, t2):
    case = make_case()
    client.force_login(t2)
    page = client.get(f"/cases/{case.pk}/").content.decode()
    assert 'id="containment-panel"' in page
    assert f'hx-get="/cases/{case.pk}/containment/"' in page
