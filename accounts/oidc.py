"""Single sign-on with OpenID Connect (mozilla-django-oidc).

On when VIGIL_OIDC_ISSUER, VIGIL_OIDC_CLIENT_ID and VIGIL_OIDC_CLIENT_SECRET are set. The
provider's endpoints come from its discovery document (`/.well-known/openid-configuration`)
unless set one by one. Users are found by (issuer, subject) and created on first sign-in;
their roles follow the groups claim at every sign-in (VIGIL_OIDC_GROUPS_CLAIM and
VIGIL_OIDC_ROLE_GROUPS); a user whose groups give no role is refused.
"""

from __future__ import annotations

import re
import threading

import requests
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.db import transaction
from django.utils import timezone
from mozilla_django_oidc.auth import OIDCAuthenticationBackend
from mozilla_django_oidc.views import OIDCAuthenticationCallbackView, OIDCAuthenticationRequestView

from soc.roles import Role

from .audit import Kind, sign_in_event_record
from .models import ExternalIdentity

ROLE_GROUPS = {"l1": Role.L1, "t2": Role.T2, "manager": Role.MANAGER}
REFUSAL_SESSION_KEY = "vigil_sso_refused"

_discovery: dict[str, dict] = {}
_discovery_lock = threading.Lock()


def enabled() -> bool:
    return bool(settings.VIGIL_OIDC_ISSUER and settings.OIDC_RP_CLIENT_ID and settings.OIDC_RP_CLIENT_SECRET)


def endpoints() -> dict[str, str]:
    """The provider's endpoints: the settings where given, else its discovery document
    (fetched once per process and issuer)."""
    issuer = settings.VIGIL_OIDC_ISSUER
    given = {
        "authorization_endpoint": settings.OIDC_OP_AUTHORIZATION_ENDPOINT,
        "token_endpoint": settings.OIDC_OP_TOKEN_ENDPOINT,
        "userinfo_endpoint": settings.OIDC_OP_USER_ENDPOINT,
        "jwks_uri": settings.OIDC_OP_JWKS_ENDPOINT,
    }
    if all(given.values()):
        return given
    with _discovery_lock:
        document = _discovery.get(issuer)
        if document is None:
            response = requests.get(
                f"{issuer}/.well-known/openid-configuration",
                timeout=settings.OIDC_TIMEOUT,
                verify=settings.OIDC_VERIFY_SSL,
            )
            response.raise_for_status()
            document = _discovery[issuer] = response.json()
    return {name: value or document.get(name, "") for name, value in given.items()}


def roles_for(claims: dict) -> set[str]:
    """Vigil roles ("l1", "t2", "manager", "admin") the claims' groups map to."""
    groups = claims.get(settings.VIGIL_OIDC_GROUPS_CLAIM) or []
    if isinstance(groups, str):
        groups = [groups]
    names = {str(group) for group in groups}
    return {role for role, wanted in settings.VIGIL_OIDC_ROLE_GROUPS.items() if names & set(wanted)}


def _username_for(claims: dict) -> str:
    user_model = get_user_model()
    wanted = str(claims.get("preferred_username") or claims.get("email") or claims.get("sub"))
    base = re.sub(r"[^\w.@+-]", "_", wanted)[:140] or "sso-user"
    candidate, n = base, 1
    while user_model.objects.filter(username=candidate).exists():
        n += 1
        candidate = f"{base}-{n}"
    return candidate


class VigilOIDCBackend(OIDCAuthenticationBackend):
    def __init__(self, *args, **kwargs):
        # Django instantiates every backend for every password sign-in too: without single
        # sign-on configured this backend stays inert instead of failing on missing settings.
        self.active = enabled()
        if not self.active:
            self.UserModel = get_user_model()
            return
        super().__init__(*args, **kwargs)
        found = endpoints()
        self.OIDC_OP_TOKEN_ENDPOINT = found["token_endpoint"]
        self.OIDC_OP_USER_ENDPOINT = found["userinfo_endpoint"]
        self.OIDC_OP_JWKS_ENDPOINT = found["jwks_uri"]

    def retrieve_matching_jwk(self, token):
        """The provider's signing key for this token: the one with its `kid` (and `alg`),
        or the only key when the token or the key set names none (small providers do that;
        the library would crash on it)."""
        import jwt
        from django.core.exceptions import SuspiciousOperation

        response = requests.get(
            self.OIDC_OP_JWKS_ENDPOINT, verify=settings.OIDC_VERIFY_SSL, timeout=settings.OIDC_TIMEOUT
        )
        response.raise_for_status()
        keys = response.json().get("keys", [])
        header = jwt.get_unverified_header(token)
        kid, alg = header.get("kid"), header.get("alg")
        candidates = [k for k in keys if "alg" not in k or k["alg"] == alg]
        if kid is not None:
            named = [k for k in candidates if k.get("kid") == kid]
            candidates = named or [k for k in candidates if "kid" not in k]
        if len(candidates) != 1:
            raise SuspiciousOperation("No single signing key of the provider matches the ID token.")
        return jwt.PyJWK(candidates[0])

    def authenticate(self, request, **kwargs):
        if not self.active or request is None or "code" not in request.GET:
            return None
        return super().authenticate(request, **kwargs)

    def _refuse(self, claims: dict, reason: str) -> bool:
        self.request.session[REFUSAL_SESSION_KEY] = reason
        sign_in_event_record(
            Kind.SSO_REFUSED,
            request=self.request,
            username=str(claims.get("preferred_username") or claims.get("email") or claims.get("sub", "")),
            reason=reason,
            groups=[str(g) for g in (claims.get(settings.VIGIL_OIDC_GROUPS_CLAIM) or [])][:20],
        )
        return False

    def verify_claims(self, claims):
        if not claims.get("sub"):
            return self._refuse(claims, "The identity provider sent no subject.")
        if not roles_for(claims):
            return self._refuse(
                claims,
                "Your account is known to the identity provider, but none of its groups gives a Vigil role.",
            )
        return True

    def filter_users_by_claims(self, claims):
        return self.UserModel.objects.filter(
            external_identities__issuer=settings.VIGIL_OIDC_ISSUER,
            external_identities__subject=str(claims["sub"]),
        )

    @transaction.atomic
    def create_user(self, claims):
        user = self.UserModel.objects.create_user(_username_for(claims), email=claims.get("email", ""))
        user.set_unusable_password()
        user.save(update_fields=["password"])
        ExternalIdentity.objects.create(
            user=user, issuer=settings.VIGIL_OIDC_ISSUER, subject=str(claims["sub"])
        )
        return self.update_user(user, claims, created=True)

    @transaction.atomic
    def update_user(self, user, claims, created: bool = False):
        """Roles follow the provider's groups at every sign-in."""
        roles = roles_for(claims)
        user.is_superuser = "admin" in roles
        user.is_staff = bool(roles & {"admin", "manager"})
        user.email = claims.get("email", user.email) or user.email
        user.first_name = str(claims.get("given_name", user.first_name))[:150]
        user.last_name = str(claims.get("family_name", user.last_name))[:150]
        user.save(update_fields=["is_superuser", "is_staff", "email", "first_name", "last_name"])
        user.groups.set(
            Group.objects.filter(name__in=[ROLE_GROUPS[r].value for r in roles if r in ROLE_GROUPS])
        )
        ExternalIdentity.objects.filter(
            user=user, issuer=settings.VIGIL_OIDC_ISSUER, subject=str(claims["sub"])
        ).update(last_sign_in_at=timezone.now())
        user._vigil_sso = True
        return user

    def get_user(self, user_id):
        try:
            return self.UserModel.objects.get(pk=user_id)
        except self.UserModel.DoesNotExist:
            return None


class SignInView(OIDCAuthenticationRequestView):
    """Starts the sign-in at the provider (endpoints from discovery)."""

    def __init__(self, *args, **kwargs):
        super(OIDCAuthenticationRequestView, self).__init__(*args, **kwargs)
        self.OIDC_RP_CLIENT_ID = settings.OIDC_RP_CLIENT_ID

    def get(self, request):
        from django.http import Http404

        if not enabled():
            raise Http404("Single sign-on is not configured.")
        self.OIDC_OP_AUTH_ENDPOINT = endpoints()["authorization_endpoint"]
        return super().get(request)


class CallbackView(OIDCAuthenticationCallbackView):
    def get(self, request):
        from django.http import Http404

        if not enabled():
            raise Http404("Single sign-on is not configured.")
        return super().get(request)
