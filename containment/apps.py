from django.apps import AppConfig

from cases import extensions as case_extensions


class ContainmentConfig(AppConfig):
    name = "containment"
    verbose_name = "Containment"

    def ready(self):
        # Imports models, so it is loaded here, once the apps are.
        from . import case_extensions as provided

        case_extensions.register_case_panel(provided.PANEL)
        case_extensions.register_case_detail_field(provided.ACTIONS_FIELD)
