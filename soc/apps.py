from django.apps import AppConfig
from django.db.models.signals import post_migrate


def _sync_roles_after_migrate(sender, using="default", **kwargs):
    """Keep the role groups complete after every migrate and every flush.

    The data migration creates the groups once; a flush (TransactionTestCase, live-server
    tests, `manage.py flush`) empties auth_group and then emits post_migrate, so syncing
    here restores them, and a later migration that adds permissions gets them granted.
    """
    from soc.roles import sync_role_groups

    sync_role_groups(using=using)


class SocConfig(AppConfig):
    name = "soc"
    verbose_name = "Vigil platform"

    def ready(self):
        from django.apps import apps

        from soc import schema  # noqa: F401  (registers the OpenAPI auth extension)

        # post_migrate is sent only for apps with a models module; soc has none, so listen
        # for auth's (sync_role_groups creates every app's permissions itself first).
        post_migrate.connect(
            _sync_roles_after_migrate,
            sender=apps.get_app_config("auth"),
            dispatch_uid="soc-sync-roles",
        )
