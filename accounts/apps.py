from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "accounts"
    verbose_name = "Accounts and sign-in"

    def ready(self):
        # The sign-in events come from Django's and django-axes's signals: that is where
        # the libraries announce them (no code of ours runs a login or a lockout).
        from . import receivers  # noqa: F401
