"""Authentication backends: the lockout check first, then local passwords (which an
operator can switch off, VIGIL_PASSWORD_LOGIN), then single sign-on (accounts.oidc)."""

from axes.backends import AxesStandaloneBackend
from django.conf import settings
from django.contrib.auth.backends import ModelBackend


class LockoutBackend(AxesStandaloneBackend):
    """django-axes's check, for web requests. Without a request (management commands, the
    test client's login()) there is no address to lock and nothing to check."""

    def authenticate(self, request, username=None, password=None, **kwargs):
        if request is None:
            return None
        return super().authenticate(request, username=username, password=password, **kwargs)


class PasswordBackend(ModelBackend):
    def authenticate(self, request, username=None, password=None, **kwargs):
        if not settings.VIGIL_PASSWORD_LOGIN:
            return None
        return super().authenticate(request, username=username, password=password, **kwargs)
