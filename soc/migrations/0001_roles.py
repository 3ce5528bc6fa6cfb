"""Create the SOC's groups (L1 Analyst, T2 Analyst, SOC Manager) with their permissions."""

from django.db import migrations


def create_roles(apps, schema_editor):
    from soc.roles import sync_role_groups

    sync_role_groups(apps)


class Migration(migrations.Migration):
    dependencies = [
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("cases", "0001_initial"),
        ("playbooks", "0001_initial"),
        ("intel", "0001_initial"),
        ("containment", "0001_initial"),
    ]

    operations = [migrations.RunPython(create_roles, migrations.RunPython.noop)]
