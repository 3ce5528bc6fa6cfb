from django.apps import AppConfig


class SocConfig(AppConfig):
    name = "soc"
    verbose_name = "Vigil platform"
