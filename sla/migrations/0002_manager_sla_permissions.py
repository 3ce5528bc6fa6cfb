"""Grant SOC managers the SLA policy permissions (soc.roles.ROLE_PERMISSIONS)."""

from django.db import migrations


def grant(apps, schema_editor):
    from soc.roles import sync_role_groups

    sync_role_groups(apps)


class Migration(migrations.Migration):
    dependencies = [
        ("sla", "0001_sla_policies"),
        ("soc", "0001_roles"),
    ]

    operations = [migrations.RunPython(grant, migrations.RunPython.noop)]
