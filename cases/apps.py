from django.apps import AppConfig

from playbooks.signals import version_published

from . import extensions  # noqa: F401  (registers its system check)


class CasesConfig(AppConfig):
    name = "cases"
    verbose_name = "Cases and alerts"

    def ready(self):
        from .receivers import playbook_published

        version_published.connect(playbook_published, dispatch_uid="cases.attach_late_playbooks")
