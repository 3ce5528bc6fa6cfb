"""The SOC's roles. Groups are created by a data migration (soc/migrations) with their
permissions; code asks about capabilities (permissions), and these helpers name the
common questions so views, services and templates ask them the same way."""

from enum import StrEnum


class Role(StrEnum):
    L1 = "L1 Analyst"
    T2 = "T2 Analyst"
    MANAGER = "SOC Manager"


# Permission codenames per role ("app_label.codename"). The migration grants exactly these.
ROLE_PERMISSIONS: dict[Role, list[str]] = {
    Role.L1: [
        "cases.view_case",
        "cases.work_l1",
        "cases.add_comment",
        "playbooks.view_playbook",
        "playbooks.view_playbookversion",
    ],
    Role.T2: [
        "cases.view_case",
        "cases.work_l1",
        "cases.work_t2",
        "cases.add_comment",
        "containment.request_action",
        "playbooks.view_playbook",
        "playbooks.view_playbookversion",
    ],
    Role.MANAGER: [
        "cases.view_case",
        "cases.work_l1",
        "cases.work_t2",
        "cases.add_comment",
        "cases.assign_any",
        "containment.request_action",
        "containment.approve_action",
        "containment.override_guardrail",
        "playbooks.view_playbook",
        "playbooks.view_playbookversion",
        "playbooks.edit_playbooks",
        # The admin editor works through model permissions; the services still refuse
        # writes to published versions whoever asks.
        "playbooks.add_playbook",
        "playbooks.change_playbook",
        "playbooks.add_playbookversion",
        "playbooks.change_playbookversion",
        "playbooks.add_playbookitem",
        "playbooks.change_playbookitem",
        "playbooks.delete_playbookitem",
        "playbooks.view_playbookitem",
        "intel.manage_reference",
        "intel.view_knownnetwork",
        "intel.add_knownnetwork",
        "intel.change_knownnetwork",
        "intel.delete_knownnetwork",
        "intel.view_businesspartner",
        "intel.add_businesspartner",
        "intel.change_businesspartner",
        "intel.delete_businesspartner",
        # The reference-data audit trail, read-only (no add/change/delete exists for anyone).
        "intel.view_referencechange",
        # SLA targets (sla app): one policy per severity, edited, never added or deleted.
        "sla.view_slapolicy",
        "sla.change_slapolicy",
    ],
}


def is_l1(user) -> bool:
    return user.has_perm("cases.work_l1")


def is_t2(user) -> bool:
    return user.has_perm("cases.work_t2")


def is_manager(user) -> bool:
    return user.has_perm("cases.assign_any")


def sync_role_groups(apps=None, using: str = "default") -> None:
    """Create the three groups and grant exactly ROLE_PERMISSIONS (idempotent).

    Called by the data migration with the historical app registry, and safe to call
    again after a migration adds permissions.
    """
    from django.apps import apps as global_apps
    from django.contrib.auth.management import create_permissions

    registry = apps or global_apps
    for app_config in registry.get_app_configs():
        # Historical app configs have no models module; create_permissions needs one set.
        original = getattr(app_config, "models_module", None)
        app_config.models_module = original or True
        create_permissions(app_config, verbosity=0, using=using, apps=registry)
        app_config.models_module = original

    labels = {config.label for config in registry.get_app_configs() if list(config.get_models())}
    group_model = registry.get_model("auth", "Group")
    permission_model = registry.get_model("auth", "Permission")
    for role, codenames in ROLE_PERMISSIONS.items():
        group, _ = group_model.objects.using(using).get_or_create(name=role.value)
        permissions = []
        for dotted in codenames:
            app_label, codename = dotted.split(".")
            if app_label not in labels:
                continue  # an app migrated later grants its own (its migration calls this again)
            permissions.append(
                permission_model.objects.using(using).get(
                    content_type__app_label=app_label, codename=codename
                )
            )
        group.permissions.set(permissions)
