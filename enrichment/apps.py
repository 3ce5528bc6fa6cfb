from django.apps import AppConfig

from cases import extensions as case_extensions
from intel import hooks as intel_hooks


class EnrichmentConfig(AppConfig):
    name = "enrichment"
    verbose_name = "Enrichment and the L1 assistant"

    def ready(self):
        # The tasks module imports models, so it is loaded here, once the apps are.
        from . import tasks

        case_extensions.ENRICH_ALERT.provide(tasks.enrich_alert)
        case_extensions.REFRESH_CASE.provide(tasks.refresh_case)
        intel_hooks.REFRESH_OPEN_CASES.provide(tasks.refresh_open_cases)
