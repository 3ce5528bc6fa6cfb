"""Cases: the unit of work of the SOC, with their per-item playbook state and comments.

State changes go through cases.services (one function per transition) and the status
moves through the table in cases.lifecycle; the model knows the row's own invariants.
Their reads start from cases.models.querysets, their timeline is cases.models.events.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.db.models.functions import Coalesce

from playbooks.attack import lookup
from playbooks.registry import Section
from soc.db import index_where_set, optional_user, status_has_time

from .alerts import Observable, Severity
from .querysets import CaseQuerySet


class Case(models.Model):
    class Status(models.TextChoices):
        NEW = "new"
        TRIAGE = "triage"
        ESCALATED = "escalated"
        INVESTIGATING = "investigating"
        CONTAINMENT = "containment"
        RESOLVED = "resolved"
        CLOSED = "closed"

    class Tier(models.TextChoices):
        L1 = "l1"
        T2 = "t2"

    class Resolution(models.TextChoices):
        FALSE_POSITIVE = "false_positive", "False positive"
        BENIGN = "benign", "Benign / expected partner activity"
        DUPLICATE = "duplicate", "Duplicate of another case"
        TRUE_POSITIVE = "true_positive", "True positive (handled)"

    # Unique through Meta.constraints: `unique=True` would add a second, LIKE-only index
    # on PostgreSQL that no query uses (a case opening writes every index of this table).
    reference = models.CharField(max_length=20, help_text="e.g. CASE-2026-000123")
    title = models.CharField(max_length=500)
    severity = models.PositiveSmallIntegerField(
        choices=Severity.choices, default=Severity.MEDIUM, db_index=True
    )
    # Indexes for status, tier, assignee and technique are in Meta.indexes: composite ones
    # where a filter always comes with another column, and none of the LIKE-only twins
    # that db_index adds to a CharField on PostgreSQL.
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.NEW)
    tier = models.CharField(max_length=2, choices=Tier.choices, default=Tier.L1)
    assignee = optional_user(related_name="assigned_cases")
    technique_id = models.CharField(max_length=9, blank=True)
    # Every technique of the case's alerts, in order of arrival (technique_id is the first).
    techniques = models.JSONField(default=list, blank=True)
    # Which alerts may join: "pb:<playbook technique>" for a case routed by playbook
    # coverage, "t:<technique>" for one no playbook covered (cases/services/intake/keys.py).
    correlation_group = models.CharField(max_length=16, blank=True, default="")
    playbook_version = models.ForeignKey(
        "playbooks.PlaybookVersion",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="cases",
    )
    needs_playbook = models.BooleanField(default=False, help_text="No playbook matched its technique.")
    # The source of the alert that opened the case (never changes; merges keep the
    # target's). Written by intake with the case; the metrics group by it. No database
    # foreign key or index: a source with alerts cannot be deleted (Alert.source PROTECTs),
    # and inserting a case checks and writes nothing more.
    opening_source = models.ForeignKey(
        "cases.IngestSource",
        null=True,
        blank=True,
        on_delete=models.DO_NOTHING,
        related_name="+",
        db_constraint=False,
        db_index=False,
    )
    observables = models.ManyToManyField(Observable, through="CaseObservable", related_name="cases")
    alert_count = models.PositiveIntegerField(default=0)

    # Event time of the alerts (correlation measures the window on these, not arrival).
    first_observed_at = models.DateTimeField(null=True, blank=True)
    last_observed_at = models.DateTimeField(null=True, blank=True)

    opened_at = models.DateTimeField(db_index=True)
    acknowledged_at = models.DateTimeField(null=True, blank=True)
    escalated_at = models.DateTimeField(null=True, blank=True)
    contained_at = models.DateTimeField(null=True, blank=True)
    resolved_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    sla_due_at = models.DateTimeField("SLA due at", null=True, blank=True, db_index=True)
    updated_at = models.DateTimeField(auto_now=True, db_index=True)

    resolution = models.CharField(max_length=20, choices=Resolution.choices, blank=True)
    resolution_note = models.TextField(blank=True)
    duplicate_of = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="+", db_index=False
    )
    handoff_note = models.TextField(blank=True)
    # Vigil's recommendation when L1 decided, and the reason L1 gave to go against it.
    recommendation = models.JSONField(default=dict, blank=True)
    override_reason = models.TextField(blank=True)

    # --- SLA stage clocks (the sla app computes these from the milestones above) ---
    # Milestones of the T2 stages: the T2 claim of the latest escalation, and the first
    # containment action requested after it.
    t2_picked_up_at = models.DateTimeField(null=True, blank=True)
    containment_started_at = models.DateTimeField(null=True, blank=True)
    # Each stage's due time once it has started (SLA compliance is counted on these).
    sla_acknowledge_due_at = models.DateTimeField(null=True, blank=True)
    sla_t2_pickup_due_at = models.DateTimeField(null=True, blank=True)
    sla_containment_due_at = models.DateTimeField(null=True, blank=True)
    sla_resolution_due_at = models.DateTimeField(null=True, blank=True)
    # The running stage due first: the countdown, the list's "breached"/"breaching within"
    # filters and sort. Empty for a case with no running stage (or not yet computed).
    sla_stage = models.CharField(max_length=16, blank=True)
    sla_stage_due_at = models.DateTimeField(null=True, blank=True)
    # When the SLA scanner must look at the case next (a warning or breach to record), and
    # the alarms already recorded ("stage@start:kind"), so each is recorded once.
    sla_alarm_at = models.DateTimeField(null=True, blank=True)
    sla_alarms_sent = models.JSONField(default=list, blank=True)

    # Optimistic lock: services bump it; a write based on a stale read loses.
    version = models.PositiveIntegerField(default=1)

    objects = CaseQuerySet.as_manager()

    class Meta:
        ordering = ["-opened_at"]
        permissions = [
            ("work_l1", "Can triage cases (L1)"),
            ("work_t2", "Can investigate escalated cases (T2)"),
            ("assign_any", "Can reassign any case (SOC manager)"),
        ]
        indexes = [
            # The status filter and the default list order.
            models.Index(fields=["status", "-opened_at"], name="case_status_opened_idx"),
            # The assignee filter ("mine"), and SET_NULL when a user is deleted.
            models.Index(fields=["assignee", "status"], name="case_assignee_status_idx"),
            # Correlation (intake), and the technique filter's exact match.
            models.Index(fields=["technique_id", "status", "last_observed_at"], name="case_correlation_idx"),
            # The technique filter's parent match: technique_id LIKE 'T1591.%'.
            models.Index(
                fields=["technique_id"], opclasses=["varchar_pattern_ops"], name="case_technique_prefix_idx"
            ),
            models.Index(fields=["tier", "status"], name="case_tier_status_idx"),
            # The SLA filters and sort, and the SLA scanner (only rows that have a value).
            index_where_set("sla_stage_due_at", name="case_sla_stage_due_idx"),
            index_where_set("sla_alarm_at", name="case_sla_alarm_idx"),
            # The metrics' per-day flows and backlog (insights): cases ended or escalated in
            # a date range. Partial, so opening a case writes no entry in either.
            models.Index(
                Coalesce("resolved_at", "closed_at"),
                name="case_ended_idx",
                condition=Q(status__in=["resolved", "closed"]),
            ),
            index_where_set("escalated_at", name="case_escalated_idx"),
            # SET_NULL when the original is deleted; most cases are no one's duplicate.
            index_where_set("duplicate_of", name="case_duplicate_of_idx"),
        ]
        constraints = [
            models.UniqueConstraint(fields=["reference"], name="case_reference_unique"),
            status_has_time("closed", "closed_at", name="closed_case_has_closed_at"),
            status_has_time("resolved", "resolved_at", name="resolved_case_has_resolved_at"),
        ]

    def __str__(self) -> str:
        return f"{self.reference} {self.title[:60]}"

    @property
    def is_open(self) -> bool:
        return self.status not in (self.Status.RESOLVED, self.Status.CLOSED)

    @property
    def unknown_techniques(self) -> list[str]:
        """Technique ids of its alerts that the bundled ATT&CK catalogue does not know:
        kept and shown flagged ("unknown technique"), never routed as real."""
        return [t for t in (self.techniques or [self.technique_id]) if t and lookup(t) is None]


class CaseObservable(models.Model):
    """Which observables a case has seen; correlation looks up open cases through this."""

    # No index of their own: the unique (case, observable) and the lookup index (observable,
    # case) serve every query by either column (fewer index writes per ingested alert).
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="case_observables", db_index=False)
    observable = models.ForeignKey(
        Observable, on_delete=models.CASCADE, related_name="case_links", db_index=False
    )
    first_seen_at = models.DateTimeField()
    last_seen_at = models.DateTimeField()
    # Evidence about the observable within this case only (enrichment.assistant.case_evidence):
    # {"related_activity": {...}, "login_pattern": {...}}; Observable.enrichment holds what is
    # true of the observable everywhere (reputation, partner match, lookalike).
    enrichment = models.JSONField(default=dict, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["case", "observable"], name="case_observable_unique"),
        ]
        indexes = [models.Index(fields=["observable", "case"], name="case_observable_lookup_idx")]

    def __str__(self) -> str:
        return f"case {self.case_id} observable {self.observable_id}"


class CaseStep(models.Model):
    """The case's state for one playbook item (answer, observation or done-ness)."""

    class Value(models.TextChoices):
        PENDING = "", "Not set"
        YES = "yes"
        NO = "no"
        UNKNOWN = "unknown"
        OBSERVED = "observed"
        NOT_OBSERVED = "not_observed", "Not observed"
        DONE = "done"
        NOT_APPLICABLE = "not_applicable", "Not applicable"
        CHECKED = "checked", "Met"
        UNCHECKED = "unchecked", "Not met"

    # Which values each section accepts ("" means not yet worked).
    VALUES_BY_SECTION: dict[str, tuple[str, ...]] = {
        Section.LOG_SOURCE: ("", "done", "not_applicable"),
        Section.KEY_INDICATOR: ("", "observed", "not_observed", "unknown"),
        Section.QUESTION: ("", "yes", "no", "unknown"),
        Section.L1_STEP: ("", "done", "not_applicable"),
        Section.ESCALATION_CRITERION: ("", "checked", "unchecked"),
        Section.T2_ACTION: ("", "done", "not_applicable"),
        Section.CONTAINMENT_STEP: ("", "done", "not_applicable"),
    }

    # A case opening writes ~23 steps, so each index and constraint here is paid 23 times
    # per case. Indexed by the unique (case, item). No database foreign key: its check,
    # one query per inserted row at commit, was a fifth of PostgreSQL's time ingesting a
    # batch. Steps are written only by intake (with their new case, in its transaction)
    # and updated by the step service; deleting a case deletes its steps (Django runs
    # CASCADE itself), and a case with alerts cannot be deleted at all.
    case = models.ForeignKey(
        Case, on_delete=models.CASCADE, related_name="steps", db_index=False, db_constraint=False
    )
    # The item belongs to the case's pinned playbook version, which is immutable (its items
    # cannot be changed or deleted) and PROTECTed by the case, so the item outlives the
    # step without a foreign-key check and an index entry (that no query reads) per step
    # row, 23 of each per case opened. Steps exist only for published versions, so
    # deleting a draft's items has nothing here to look at.
    item = models.ForeignKey(
        "playbooks.PlaybookItem",
        on_delete=models.DO_NOTHING,
        related_name="+",
        db_constraint=False,
        db_index=False,
    )
    section = models.CharField(max_length=24)
    order = models.PositiveIntegerField()
    value = models.CharField(max_length=16, choices=Value.choices, blank=True, default="")
    note = models.TextField(blank=True)
    # Indexed only where set (see Meta): new steps have no author, so inserting them writes
    # no entry; a user's deletion still finds their steps through the partial index.
    updated_by = optional_user()
    updated_at = models.DateTimeField(null=True, blank=True)
    # The assistant's view: {"answer": "yes|no|unknown", "reason": "...", "evidence": [...]}.
    suggestion = models.JSONField(default=dict, blank=True)
    suggestion_updated_at = models.DateTimeField(null=True, blank=True)
    agreed_with_suggestion = models.BooleanField(null=True, blank=True)
    # The case's opening time, copied by the step service when it records agreement (above),
    # so the metrics count agreement per period from the steps alone (see Meta).
    case_opened_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["case", "section", "order"]
        constraints = [
            models.UniqueConstraint(fields=["case", "item"], name="case_step_item_unique"),
        ]
        indexes = [
            # The metrics' agreement table (insights): answers with a suggestion, by the
            # case's opening time. Partial, so intake's unanswered steps write no entry.
            models.Index(
                fields=["case_opened_at", "item"],
                include=["agreed_with_suggestion", "case"],
                name="case_step_agreement_idx",
                condition=Q(agreed_with_suggestion__isnull=False),
            ),
            index_where_set("updated_by", name="case_step_updated_by_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.case_id} {self.section}#{self.order}={self.value or '-'}"

    def allowed_values(self) -> tuple[str, ...]:
        return self.VALUES_BY_SECTION.get(self.section, ("",))

    @property
    def is_criterion(self) -> bool:
        """An escalation criterion: worked as met / not met, and what escalation reads."""
        return self.section == Section.ESCALATION_CRITERION


class Comment(models.Model):
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="comments")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    body = models.TextField(help_text="Markdown; rendered sanitized.")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at"]

    def __str__(self) -> str:
        return f"comment {self.pk} on case {self.case_id}"
