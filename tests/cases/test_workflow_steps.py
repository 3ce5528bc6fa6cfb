"""Step updates, the recommendation rules, comments and personal tokens."""

from __future__ import annotations

import pytest
from django.core.management import call_command

from cases.models import ApiToken, CaseEvent, CaseStep
from cases.models.tokens import hash_token
from cases.services import workflow as wf
from cases.services.comments import comment_add, render_markdown
from cases.services.recommendation import recommend
from cases.services.steps import case_step_update
from cases.services.tokens import user_token_create, user_token_revoke
from soc.errors import Conflict, DomainError, NotAllowed
from tests.cases.workflow_support import (
    CRITERIA,
    answer,
    answer_benign,
    criterion,
    investigating,
    judge_criteria,
    question,
    step,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def case(seed_playbook, make_case):
    return make_case()


@pytest.fixture
def triaged(case, l1):
    return wf.case_claim(case=case, by=l1)


# --- steps ----------------------------------------------------------------------------


def test_an_answer_is_saved_with_who_and_when_and_a_timeline_event(triaged, l1):
    q = question(triaged, "ip_reputation")
    updated = case_step_update(step=q, value="no", note="Not in any list.", by=l1)
    assert (updated.value, updated.note, updated.updated_by) == ("no", "Not in any list.", l1)
    assert updated.updated_at is not None
    event = triaged.events.filter(verb=CaseEvent.Verb.STEP_UPDATED).get()
    assert event.data["old"] == ""
    assert event.data["new"] == "no"
    assert event.data["note"] == "Not in any list."
    assert event.data["item"] == q.item.text


def test_an_update_that_changes_nothing_writes_nothing(triaged, l1):
    q = question(triaged, "ip_reputation")
    case_step_update(step=q, value="yes", by=l1)
    case_step_update(step=q, value="yes", by=l1)
    case_step_update(step=q, value=None, note=None, by=l1)
    assert triaged.events.filter(verb=CaseEvent.Verb.STEP_UPDATED).count() == 1


@pytest.mark.parametrize(
    ("section", "bad", "good"),
    [
        ("question", "observed", "unknown"),
        ("key_indicator", "yes", "not_observed"),
        ("l1_step", "checked", "not_applicable"),
        ("escalation_criterion", "done", "checked"),
        ("log_source", "maybe", "done"),
    ],
)
def test_each_section_accepts_only_its_values(triaged, l1, section, bad, good):
    target = step(triaged, section)
    with pytest.raises(DomainError) as exc:
        case_step_update(step=target, value=bad, by=l1)
    assert "value" in exc.value.data["errors"]
    assert case_step_update(step=target, value=good, by=l1).value == good


def test_l1_steps_are_worked_in_triage_by_the_assignee(case, l1, l1_other, manager):
    q = question(case, "ip_reputation")
    with pytest.raises(Conflict, match="claim it first"):
        case_step_update(step=q, value="yes", by=l1)
    wf.case_claim(case=case, by=l1)
    with pytest.raises(NotAllowed, match="assigned to alice_l1"):
        case_step_update(step=q, value="yes", by=l1_other)
    assert case_step_update(step=q, value="yes", by=manager).updated_by == manager


def test_t2_actions_are_worked_by_the_t2_assignee_while_investigating(case, l1, t2, t2_other):
    action = step(case, "t2_action")
    with pytest.raises(NotAllowed, match="T2"):
        case_step_update(step=action, value="done", by=l1)
    with pytest.raises(Conflict):
        case_step_update(step=action, value="done", by=t2)
    case = investigating(case, l1, t2)
    with pytest.raises(NotAllowed):
        case_step_update(step=action, value="done", by=t2_other)
    assert case_step_update(step=action, value="done", note="No APT traffic.", by=t2).value == "done"
    # L1 answers are frozen once the case went to T2.
    with pytest.raises(Conflict):
        case_step_update(step=question(case, "ip_reputation"), value="yes", by=t2)


def test_agreement_with_the_assistant_is_recorded(triaged, l1):
    q = question(triaged, "related_activity")
    CaseStep.objects.filter(pk=q.pk).update(
        suggestion={"answer": "yes", "reason": "3 other cases", "evidence": ["CASE-1"]}
    )
    q.refresh_from_db()
    assert case_step_update(step=q, value="no", by=l1).agreed_with_suggestion is False
    assert case_step_update(step=q, value="yes", by=l1).agreed_with_suggestion is True
    event = triaged.events.filter(verb=CaseEvent.Verb.STEP_UPDATED).last()
    assert event.data["agreed_with_suggestion"] is True
    # Without a suggestion there is nothing to agree with.
    other = question(triaged, "partner_match")
    assert case_step_update(step=other, value="yes", by=l1).agreed_with_suggestion is None


# --- recommendation -------------------------------------------------------------------


def test_an_unworked_case_is_recommended_for_escalation(case):
    rec = recommend(case)
    assert rec["decision"] == "escalate"
    assert "could not be ruled out" in rec["reason"]
    assert rec["used_suggestions"] is False


def test_a_case_without_a_playbook_says_so_instead_of_blaming_the_playbook(make_case):
    orphan = make_case(technique_ids=["T1110"])  # no playbook covers it
    assert not orphan.steps.exists()
    rec = recommend(orphan)
    assert rec["decision"] == "escalate"
    assert "no playbook covers" in rec["reason"]
    assert "lists no escalation criteria" not in rec["reason"]


def test_a_criterion_met_means_escalate_and_names_it(triaged, l1):
    answer_benign(triaged, l1)
    assert recommend(triaged)["decision"] == "close"
    judge_criteria(triaged, l1, compromised_account="checked")
    rec = recommend(triaged)
    assert rec["decision"] == "escalate"
    assert rec["reason"].startswith("Escalation criterion met")
    assert criterion(triaged, "compromised_account").item.text.rstrip(".") in rec["reason"]


def test_answers_alone_do_not_escalate_when_every_criterion_is_not_met(triaged, l1):
    answer(
        triaged, l1, ip_reputation="no", related_activity="yes", lookalike_domain="yes", partner_match="no"
    )
    judge_criteria(triaged, l1, **dict.fromkeys(CRITERIA, "unchecked"))
    rec = recommend(triaged)
    assert rec["decision"] == "close"
    assert "had no effect" in rec["reason"]


def test_a_close_on_known_sources_says_the_activity_is_explained(triaged, l1):
    answer_benign(triaged, l1)
    rec = recommend(triaged)
    assert rec["decision"] == "close"
    assert "explained" in rec["reason"] and "active partner contract" in rec["reason"]


def test_a_criterion_not_yet_evaluated_keeps_the_recommendation_at_escalate(triaged, l1):
    judge_criteria(triaged, l1, exfiltration="unchecked", compromised_account="unchecked")
    rec = recommend(triaged)
    assert rec["decision"] == "escalate"
    assert criterion(triaged, "sensitive_partner").item.text.rstrip(".") in rec["reason"]


def test_suggested_criteria_count_unless_the_analyst_overrides_them(triaged, l1):
    for assist in CRITERIA:
        met = assist == "exfiltration"
        CaseStep.objects.filter(pk=criterion(triaged, assist).pk).update(
            suggestion={
                "answer": "checked" if met else "unchecked",
                "reason": "4,212 rows exported.",
                "evidence": [],
            }
        )
    rec = recommend(triaged)
    assert rec["decision"] == "escalate"
    assert rec["used_suggestions"] is True
    assert "4,212 rows exported" in rec["reason"]
    assert "…" not in rec["reason"]
    # The analyst's "not met" wins over the suggestion.
    judge_criteria(triaged, l1, exfiltration="unchecked")
    rec = recommend(triaged)
    assert rec["decision"] == "close"
    assert rec["used_suggestions"] is True


# --- comments -------------------------------------------------------------------------


@pytest.mark.parametrize(
    "body",
    [
        "<script>alert(1)</script>hello",
        '<img src="x" onerror="alert(1)">hello',
        "[click](javascript:alert(1)) hello",
        '<a href="JaVaScRiPt:alert(1)">hello</a>',
        '<p onclick="alert(1)" style="x">hello</p>',
        "<iframe src=//evil></iframe>hello",
    ],
)
def test_comment_markdown_is_sanitized(body):
    html = str(render_markdown(body)).lower()
    assert "hello" in html
    for dangerous in ("<script", "onerror", "javascript:", "onclick", "<iframe", "style="):
        assert dangerous not in html


def test_comment_markdown_keeps_formatting_and_safe_links():
    html = str(render_markdown("**bold** and [docs](https://example.com)\n\n- a\n- b"))
    assert "<strong>bold</strong>" in html
    assert 'href="https://example.com"' in html
    assert "<li>a</li>" in html


def test_a_comment_writes_a_timeline_event(case, l1, outsider):
    comment = comment_add(case=case, body="Checked the **partner**.", by=l1)
    event = case.events.get(verb=CaseEvent.Verb.COMMENTED)
    assert event.data["comment"] == comment.pk
    with pytest.raises(DomainError):
        comment_add(case=case, body="   ", by=l1)
    with pytest.raises(NotAllowed):
        comment_add(case=case, body="hi", by=outsider)


# --- personal tokens ------------------------------------------------------------------


def test_a_token_is_shown_once_and_stored_hashed(l1, l1_other):
    token, plain = user_token_create(user=l1, name="SOAR", by=l1)
    assert plain.startswith("vgu_")
    stored = ApiToken.objects.get(pk=token.pk)
    assert stored.token_hash == hash_token(plain)
    assert plain not in (stored.token_hash, stored.token_hint)
    with pytest.raises(NotAllowed):
        user_token_create(user=l1, name="x", by=l1_other)
    with pytest.raises(NotAllowed):
        user_token_revoke(token=token, by=l1_other)
    assert user_token_revoke(token=token, by=l1).revoked_at is not None


def test_create_user_token_prints_the_token_last(l1, capsys):
    call_command("create_user_token", l1.username, "--name", "cli")
    lines = capsys.readouterr().out.strip().splitlines()
    token = ApiToken.objects.get(user=l1, name="cli")
    assert token.token_hash == hash_token(lines[-1])
