from django.apps import AppConfig

from . import hooks  # noqa: F401  (registers its system check)


class IntelConfig(AppConfig):
    name = "intel"
    verbose_name = "Reference data"
