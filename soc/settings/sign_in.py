"""Identity (accounts/; README "Sign-in and security"): passwords, the second factor,
lockout, single sign-on and personal API tokens."""

from datetime import timedelta

from .base import env

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "cases:dashboard"
# Local password sign-in; off when every user signs in through single sign-on.
VIGIL_PASSWORD_LOGIN = env.bool("VIGIL_PASSWORD_LOGIN", default=True)
# Second factor (TOTP, django-otp) for local accounts: roles that must use one ("admin" =
# superusers). Users signed in through single sign-on rely on the provider's own MFA.
VIGIL_SECOND_FACTOR_ROLES = env.list("VIGIL_SECOND_FACTOR_ROLES", default=["manager", "admin"])
VIGIL_RECOVERY_CODES = env.int("VIGIL_RECOVERY_CODES", default=10)
OTP_TOTP_ISSUER = env.str("VIGIL_TOTP_ISSUER", default="Vigil")
# Login throttling and lockout (django-axes): per account and, separately, per address.
AXES_FAILURE_LIMIT = env.int("VIGIL_LOGIN_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = timedelta(minutes=env.float("VIGIL_LOGIN_LOCKOUT_MINUTES", default=15))
AXES_LOCKOUT_PARAMETERS = "accounts.lockout.lockout_parameters"
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_CALLABLE = "accounts.lockout.lockout_response"
AXES_VERBOSE = False
# Lockouts are seen and released at /accounts/lockouts/ (which writes the release to the
# sign-in log), not by deleting django-axes rows in the admin.
AXES_ENABLE_ADMIN = False
# Behind the TLS proxy the client address is the first of X-Forwarded-For (set the count
# of proxies in front of Vigil; 0 = use REMOTE_ADDR).
AXES_IPWARE_PROXY_COUNT = env.int("VIGIL_PROXY_COUNT", default=0) or None
AXES_IPWARE_META_PRECEDENCE_ORDER = (
    ("HTTP_X_FORWARDED_FOR", "REMOTE_ADDR") if AXES_IPWARE_PROXY_COUNT else ("REMOTE_ADDR",)
)
# Single sign-on with OpenID Connect (mozilla-django-oidc); on when VIGIL_OIDC_ISSUER is set
# with the client id and secret. Endpoints come from the issuer's discovery document unless given.
VIGIL_OIDC_ISSUER = env.str("VIGIL_OIDC_ISSUER", default="").rstrip("/")
OIDC_RP_CLIENT_ID = env.str("VIGIL_OIDC_CLIENT_ID", default="")
OIDC_RP_CLIENT_SECRET = env.str("VIGIL_OIDC_CLIENT_SECRET", default="")
OIDC_RP_SIGN_ALGO = env.str("VIGIL_OIDC_SIGN_ALGO", default="RS256")
OIDC_RP_SCOPES = env.str("VIGIL_OIDC_SCOPES", default="openid email profile")
OIDC_OP_AUTHORIZATION_ENDPOINT = env.str("VIGIL_OIDC_AUTHORIZATION_ENDPOINT", default="")
OIDC_OP_TOKEN_ENDPOINT = env.str("VIGIL_OIDC_TOKEN_ENDPOINT", default="")
OIDC_OP_USER_ENDPOINT = env.str("VIGIL_OIDC_USERINFO_ENDPOINT", default="")
OIDC_OP_JWKS_ENDPOINT = env.str("VIGIL_OIDC_JWKS_ENDPOINT", default="")
OIDC_VERIFY_SSL = env.bool("VIGIL_OIDC_VERIFY_SSL", default=True)
OIDC_TIMEOUT = env.float("VIGIL_OIDC_TIMEOUT", default=10.0)
OIDC_USE_NONCE = True
OIDC_CREATE_USER = True
OIDC_AUTHENTICATION_CALLBACK_URL = "oidc_authentication_callback"
LOGIN_REDIRECT_URL_FAILURE = "/accounts/sso/refused/"  # a path: the library does not resolve names
# The claim holding the user's groups, and the group (in that claim) for each role.
VIGIL_OIDC_GROUPS_CLAIM = env.str("VIGIL_OIDC_GROUPS_CLAIM", default="groups")
VIGIL_OIDC_ROLE_GROUPS = {
    "l1": env.list("VIGIL_OIDC_GROUP_L1", default=["vigil-l1"]),
    "t2": env.list("VIGIL_OIDC_GROUP_T2", default=["vigil-t2"]),
    "manager": env.list("VIGIL_OIDC_GROUP_MANAGER", default=["vigil-manager"]),
    "admin": env.list("VIGIL_OIDC_GROUP_ADMIN", default=["vigil-admin"]),
}
AUTHENTICATION_BACKENDS = [
    # First: refuses locked-out accounts and addresses before any password is checked.
    "accounts.backends.LockoutBackend",
    "accounts.backends.PasswordBackend",
    "accounts.oidc.VigilOIDCBackend",
]
# Personal API tokens expire (days; 0 = never) unless created with another expiry.
VIGIL_API_TOKEN_DAYS = env.int("VIGIL_API_TOKEN_DAYS", default=90)
