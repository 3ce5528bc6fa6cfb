"""Drop foreign-key indexes that another index already covers (fewer index writes per
ingested alert: a new case writes ~23 CaseStep rows), and index two nullable author
columns only where set.

Each dropped index has a covering one whose leading column is the same:

| dropped                                 | covered by                                   |
| --------------------------------------- | -------------------------------------------- |
| alert.case_id                           | alert_case_observed_idx (case_id, observed_at) |
| alert.source_id                         | alert_source_ref_unique (source_id, source_ref) |
| alertobservable.alert_id                | alert_observable_unique (alert_id, observable_id) |
| caseevent.case_id                       | case_event_timeline_idx (case_id, created_at) |
| caseobservable.case_id                  | case_observable_unique (case_id, observable_id) |
| caseobservable.observable_id            | case_observable_lookup_idx (observable_id, case_id) |
| casestep.case_id                        | case_step_item_unique (case_id, item_id)     |
| caseevent.actor_id, casestep.updated_by_id | partial indexes WHERE ... IS NOT NULL     |

The fields change in the migration state only; the database drops the indexes by name
(the names 0001 gave them on every backend), so PostgreSQL does not drop and re-validate
the foreign-key constraints (a full scan of each table under lock) as AlterField would.
"""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("cases", "0001_initial"),
        ("playbooks", "0002_item_key_constraints"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name="alert",
                    name="case",
                    field=models.ForeignKey(
                        db_index=False,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="alerts",
                        to="cases.case",
                    ),
                ),
                migrations.AlterField(
                    model_name="alert",
                    name="source",
                    field=models.ForeignKey(
                        db_index=False,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="alerts",
                        to="cases.ingestsource",
                    ),
                ),
                migrations.AlterField(
                    model_name="alertobservable",
                    name="alert",
                    field=models.ForeignKey(
                        db_index=False,
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="alert_observables",
                        to="cases.alert",
                    ),
                ),
                migrations.AlterField(
                    model_name="caseevent",
                    name="actor",
                    field=models.ForeignKey(
                        blank=True,
                        db_index=False,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
                migrations.AlterField(
                    model_name="caseevent",
                    name="case",
                    field=models.ForeignKey(
                        db_index=False,
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="events",
                        to="cases.case",
                    ),
                ),
                migrations.AlterField(
                    model_name="caseobservable",
                    name="case",
                    field=models.ForeignKey(
                        db_index=False,
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="case_observables",
                        to="cases.case",
                    ),
                ),
                migrations.AlterField(
                    model_name="caseobservable",
                    name="observable",
                    field=models.ForeignKey(
                        db_index=False,
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="case_links",
                        to="cases.observable",
                    ),
                ),
                migrations.AlterField(
                    model_name="casestep",
                    name="case",
                    field=models.ForeignKey(
                        db_index=False,
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="steps",
                        to="cases.case",
                    ),
                ),
                migrations.AlterField(
                    model_name="casestep",
                    name="updated_by",
                    field=models.ForeignKey(
                        blank=True,
                        db_index=False,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
            ],
            database_operations=[
                migrations.RunSQL(
                    'DROP INDEX IF EXISTS "cases_alert_case_id_b6a04c1f"',
                    reverse_sql='CREATE INDEX "cases_alert_case_id_b6a04c1f" ON "cases_alert" ("case_id")',
                ),
                migrations.RunSQL(
                    'DROP INDEX IF EXISTS "cases_alert_source_id_9e7fd48a"',
                    reverse_sql='CREATE INDEX "cases_alert_source_id_9e7fd48a" ON "cases_alert" ("source_id")',
                ),
                migrations.RunSQL(
                    'DROP INDEX IF EXISTS "cases_alertobservable_alert_id_f068ad4a"',
                    reverse_sql='CREATE INDEX "cases_alertobservable_alert_id_f068ad4a" ON "cases_alertobservable" ("alert_id")',
                ),
                migrations.RunSQL(
                    'DROP INDEX IF EXISTS "cases_caseevent_actor_id_3b42ca2c"',
                    reverse_sql='CREATE INDEX "cases_caseevent_actor_id_3b42ca2c" ON "cases_caseevent" ("actor_id")',
                ),
                migrations.RunSQL(
                    'DROP INDEX IF EXISTS "cases_caseevent_case_id_6c6031ac"',
                    reverse_sql='CREATE INDEX "cases_caseevent_case_id_6c6031ac" ON "cases_caseevent" ("case_id")',
                ),
                migrations.RunSQL(
                    'DROP INDEX IF EXISTS "cases_caseobservable_case_id_b92b8fb6"',
                    reverse_sql='CREATE INDEX "cases_caseobservable_case_id_b92b8fb6" ON "cases_caseobservable" ("case_id")',
                ),
                migrations.RunSQL(
                    'DROP INDEX IF EXISTS "cases_caseobservable_observable_id_cde83795"',
                    reverse_sql='CREATE INDEX "cases_caseobservable_observable_id_cde83795" ON "cases_caseobservable" ("observable_id")',
                ),
                migrations.RunSQL(
                    'DROP INDEX IF EXISTS "cases_casestep_case_id_70bbe3b6"',
                    reverse_sql='CREATE INDEX "cases_casestep_case_id_70bbe3b6" ON "cases_casestep" ("case_id")',
                ),
                migrations.RunSQL(
                    'DROP INDEX IF EXISTS "cases_casestep_updated_by_id_92bca4e8"',
                    reverse_sql='CREATE INDEX "cases_casestep_updated_by_id_92bca4e8" ON "cases_casestep" ("updated_by_id")',
                ),
            ],
        ),
        migrations.AddIndex(
            model_name="caseevent",
            index=models.Index(
                condition=models.Q(("actor__isnull", False)), fields=["actor"], name="case_event_actor_idx"
            ),
        ),
        migrations.AddIndex(
            model_name="casestep",
            index=models.Index(
                condition=models.Q(("updated_by__isnull", False)),
                fields=["updated_by"],
                name="case_step_updated_by_idx",
            ),
        ),
    ]
