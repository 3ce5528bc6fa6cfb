from django.conf import settings

from . import oidc


def sign_in_options(request):
    return {"sso_enabled": oidc.enabled(), "password_login_enabled": settings.VIGIL_PASSWORD_LOGIN}
