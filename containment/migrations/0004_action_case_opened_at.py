"""ContainmentAction.case_opened_at: the case's opening time on the action, so the metrics
count actions by their case's period without joining every case. Added nullable, filled
from the cases, then required."""

from django.db import migrations, models

FILL = """
UPDATE containment_containmentaction SET case_opened_at = (
    SELECT opened_at FROM cases_case WHERE cases_case.id = containment_containmentaction.case_id
)
"""


class Migration(migrations.Migration):
    dependencies = [
        ("cases", "0008_metrics_columns"),
        ("containment", "0003_redact_connector_configuration_in_timeline"),
    ]

    operations = [
        migrations.AddField(
            model_name="containmentaction",
            name="case_opened_at",
            field=models.DateTimeField(null=True),
        ),
        migrations.RunSQL(FILL, migrations.RunSQL.noop),
        migrations.AlterField(
            model_name="containmentaction",
            name="case_opened_at",
            field=models.DateTimeField(db_index=True),
        ),
    ]
