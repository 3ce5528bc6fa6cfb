"""Benchmark the metrics page: bulk-create N cases (default 100,000, spread over a year)
in a throwaway database (test_<name>, dropped at the end unless --keep), then time
GET /insights/metrics/ as a SOC manager through Django's test client (the full view:
middleware, the metrics queries, charts, template) and report p50/p95/max.

    DATABASE_URL=postgres://... .venv/bin/python manage.py bench_metrics [--cases 100000]

A command, not a timed test: the numbers depend on the machine. Target: p95 under
300 ms on PostgreSQL for the default 30-day range and for 365 days.
"""

from __future__ import annotations

import random
import statistics
import time
from datetime import timedelta

from django.conf import settings
from django.core.management.base import BaseCommand
from django.db import connection
from django.db.models import OuterRef, Subquery
from django.test import Client
from django.test.utils import setup_test_environment
from django.utils import timezone

from cases.models import Alert, Case, CaseStep, IngestSource
from containment.models import ContainmentAction
from playbooks.registry import ActionKey, Section
from playbooks.services import import_playbook_text
from sla.services import policies
from soc.roles import Role

SEED_NAME = "T1591.002-business-relationships.md"
DAYS = 365
BATCH = 5000


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


class Command(BaseCommand):
    help = "Time the metrics page against N bulk-created cases in a throwaway database."

    def add_arguments(self, parser):
        parser.add_argument("--cases", type=int, default=100_000)
        parser.add_argument("--requests", type=int, default=50)
        parser.add_argument("--keep", action="store_true", help="Keep the benchmark database (and reuse it).")

    def handle(self, *args, cases: int, requests: int, keep: bool, **options):
        setup_test_environment()
        original = connection.settings_dict["NAME"]
        self.stdout.write(f"database: {connection.vendor}, creating test_{original} ...")
        connection.creation.create_test_db(verbosity=0, autoclobber=not keep, keepdb=keep)
        try:
            if Case.objects.count() < cases:
                started = time.perf_counter()
                self._populate(cases)
                self.stdout.write(f"created {cases} cases in {time.perf_counter() - started:.0f} s")
            if connection.vendor == "postgresql":
                with connection.cursor() as cursor:
                    cursor.execute("VACUUM ANALYZE")  # as autovacuum keeps a production database
            self._measure(requests)
        finally:
            if not keep:
                connection.creation.destroy_test_db(original, verbosity=0)

    # --- data -------------------------------------------------------------------------

    def _populate(self, count: int) -> None:
        from django.contrib.auth import get_user_model
        from django.contrib.auth.models import Group

        rng = random.Random(14)
        seed = settings.BASE_DIR / "playbooks" / "seeds" / SEED_NAME  # shipped with the project
        version = import_playbook_text(
            seed.read_text(encoding="utf-8"), filename=seed.name, publish=True, by=None
        ).version
        questions = list(version.items.filter(section=Section.QUESTION).order_by("order"))
        users = get_user_model()
        l1_group, t2_group = Group.objects.get(name=Role.L1.value), Group.objects.get(name=Role.T2.value)
        l1s, t2s = [], []
        for n in range(6):
            user = users.objects.create_user(f"bench-l1-{n}", password=None)
            user.groups.add(l1_group)
            l1s.append(user)
        for n in range(4):
            user = users.objects.create_user(f"bench-t2-{n}", password=None)
            user.groups.add(t2_group)
            t2s.append(user)
        manager = users.objects.create_user("bench-manager", password=None, is_staff=True)
        manager.groups.add(Group.objects.get(name=Role.MANAGER.value))
        sources = [
            IngestSource.objects.create(name=f"siem-{n}", token_hash=f"{n:064d}", token_hint="bench")  # noqa: S106 (not a secret)
            for n in range(4)
        ]
        targets = policies()
        techniques = ["T1591.002", "T1110.003", "T1566.002", "T1656", "T1078"]
        now = timezone.now()

        # Ids grow with opening time, as intake writes them.
        openings = sorted(now - timedelta(seconds=rng.uniform(0, DAYS * 86400)) for _ in range(count))
        for start in range(0, count, BATCH):
            rows = []
            for n in range(start, min(start + BATCH, count)):
                opened = openings[n]
                severity = rng.choice([1, 2, 2, 3, 3, 4])
                policy = targets[severity]
                fate = rng.random()
                case = Case(
                    reference=f"CASE-B-{n:07d}",
                    title=f"Benchmark case {n}",
                    severity=severity,
                    technique_id=rng.choice(techniques),
                    playbook_version=version,
                    opened_at=opened,
                    first_observed_at=opened,
                    last_observed_at=opened,
                    alert_count=1,
                    sla_due_at=opened + timedelta(minutes=policy.acknowledge_minutes),
                    sla_acknowledge_due_at=opened + timedelta(minutes=policy.acknowledge_minutes),
                    sla_resolution_due_at=opened + timedelta(minutes=policy.resolution_minutes),
                )
                age_minutes = (now - opened).total_seconds() / 60
                if fate < 0.05 or age_minutes < 60:
                    case.status = Case.Status.NEW
                    case.sla_stage, case.sla_stage_due_at = "acknowledge", case.sla_acknowledge_due_at
                else:
                    ack = opened + timedelta(minutes=rng.expovariate(1 / (policy.acknowledge_minutes * 0.7)))
                    case.acknowledged_at = ack
                    if fate < 0.65:  # L1 closes it
                        case.assignee = rng.choice(l1s)
                        case.status = Case.Status.CLOSED
                        case.closed_at = ack + timedelta(minutes=rng.uniform(5, 90))
                        case.resolution = rng.choice([Case.Resolution.FALSE_POSITIVE, Case.Resolution.BENIGN])
                        case.recommendation = {"decision": "close"}
                        case.override_reason = "" if rng.random() < 0.85 else "Partner confirmed by phone."
                    else:  # escalated, picked up by T2, resolved (most)
                        escalated = ack + timedelta(minutes=rng.uniform(10, 60))
                        picked = escalated + timedelta(minutes=rng.expovariate(1 / policy.t2_pickup_minutes))
                        case.escalated_at, case.t2_picked_up_at = escalated, picked
                        case.sla_t2_pickup_due_at = escalated + timedelta(minutes=policy.t2_pickup_minutes)
                        case.sla_containment_due_at = picked + timedelta(minutes=policy.containment_minutes)
                        case.tier, case.assignee = Case.Tier.T2, rng.choice(t2s)
                        case.recommendation = {"decision": "escalate"}
                        if fate < 0.8:
                            case.containment_started_at = picked + timedelta(minutes=rng.uniform(5, 120))
                        if fate < 0.95 and age_minutes > 600:
                            case.status = Case.Status.RESOLVED
                            case.resolved_at = picked + timedelta(minutes=rng.uniform(60, 600))
                            case.resolution = Case.Resolution.TRUE_POSITIVE
                        else:
                            case.status = Case.Status.INVESTIGATING
                            case.sla_stage, case.sla_stage_due_at = "resolution", case.sla_resolution_due_at
                # The source of the alert that opens it, on the case as intake writes it.
                case.opening_source = rng.choice(sources)
                rows.append(case)
            created = Case.objects.bulk_create(rows, batch_size=BATCH)
            Alert.objects.bulk_create(
                [
                    Alert(
                        source=case.opening_source,
                        source_ref=f"bench-{case.pk}",
                        title=case.title,
                        technique_id=case.technique_id,
                        technique_ids=[case.technique_id],
                        observed_at=case.opened_at,
                        case=case,
                        dispatched_at=case.opened_at,
                    )
                    for case in created
                ],
                batch_size=BATCH,
            )
            steps = []
            for case in created:
                answered = case.acknowledged_at is not None
                for item in questions:
                    suggested = rng.choice(["yes", "no", "unknown"])
                    value = (
                        (suggested if rng.random() < 0.8 else rng.choice(["yes", "no"])) if answered else ""
                    )
                    steps.append(
                        CaseStep(
                            case=case,
                            item=item,
                            section=item.section,
                            order=item.order,
                            value=value,
                            suggestion={"answer": suggested, "reason": "bench", "evidence": []},
                            # As the step service records an answer given with a suggestion.
                            agreed_with_suggestion=(value == suggested) if value else None,
                            case_opened_at=case.opened_at if value else None,
                        )
                    )
            CaseStep.objects.bulk_create(steps, batch_size=BATCH)
            actions = [
                ContainmentAction(
                    case=case,
                    case_opened_at=case.opened_at,
                    kind=ActionKey.BLOCK_IP,
                    target=f"198.51.100.{case.pk % 250}",
                    status=rng.choice(
                        [ContainmentAction.Status.SUCCEEDED] * 8 + [ContainmentAction.Status.FAILED]
                    ),
                    requested_by=case.assignee,
                    idempotency_key=f"bench-{case.pk}",
                    finished_at=case.containment_started_at + timedelta(minutes=rng.uniform(0.5, 10)),
                )
                for case in created
                if case.containment_started_at is not None
            ]
            ContainmentAction.objects.bulk_create(actions, batch_size=BATCH)
            # created_at is auto_now_add: move it back to when containment started.
            ContainmentAction.objects.filter(case__in=created).update(
                created_at=Subquery(
                    Case.objects.filter(pk=OuterRef("case_id")).values("containment_started_at")
                )
            )
            self.stdout.write(f"  {start + len(rows)} cases")

    # --- measurement ----------------------------------------------------------------

    def _measure(self, requests: int) -> None:
        from django.contrib.auth import get_user_model

        manager = get_user_model().objects.get(username="bench-manager")
        # The bench manager has no TOTP device; time the page, not the second-factor redirect.
        settings.VIGIL_SECOND_FACTOR_ROLES = []
        client = Client()
        client.force_login(manager)
        year_ago = (timezone.localdate() - timedelta(days=DAYS - 1)).isoformat()
        for label, url in (
            ("metrics page, last 30 days (default)", "/insights/metrics/"),
            ("metrics API, last 30 days", "/api/v1/metrics/"),
            ("metrics page, last 365 days", f"/insights/metrics/?start={year_ago}"),
        ):
            for _ in range(3):  # warm-up: connections, template and policy caches
                assert client.get(url).status_code == 200
            timings = []
            for _ in range(requests):
                started = time.perf_counter()
                response = client.get(url)
                timings.append((time.perf_counter() - started) * 1000)
                assert response.status_code == 200
            self.stdout.write(
                f"{label}: p50 {statistics.median(timings):.0f} ms, p95 {percentile(timings, 0.95):.0f} ms, "
                f"max {max(timings):.0f} ms ({requests} requests)"
            )
