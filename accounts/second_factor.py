"""The second factor for local accounts: TOTP devices and recovery codes (django-otp).

Who must use one is VIGIL_SECOND_FACTOR_ROLES ("l1", "t2", "manager", "admin"); anybody who
set one up uses it too. Sessions from single sign-on are exempt: the identity provider
owns that user's authentication and its own second factor.
"""

from __future__ import annotations

import secrets

from django.conf import settings
from django.db import transaction
from django_otp import devices_for_user, user_has_device
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from soc.roles import is_l1, is_manager, is_t2

from .audit import Kind, sign_in_event_record
from .sessions import is_sso_session

TOTP_NAME = "Authenticator app"
RECOVERY_NAME = "Recovery codes"


def required_by_role(user) -> bool:
    roles = {role.strip().lower() for role in settings.VIGIL_SECOND_FACTOR_ROLES}
    if not roles or not user.is_authenticated:
        return False
    return (
        ("admin" in roles and user.is_superuser)
        or ("manager" in roles and is_manager(user))
        or ("t2" in roles and is_t2(user))
        or ("l1" in roles and is_l1(user))
    )


# Whether the session's user had a confirmed device, asked once per session (not per request).
HAS_DEVICE_SESSION_KEY = "vigil_has_second_factor"


def needs_verification(request) -> bool:
    """Whether this signed-in session must still pass the second factor."""
    user = request.user
    if not user.is_authenticated or is_sso_session(request):
        return False
    if getattr(user, "is_verified", lambda: False)():
        return False
    if required_by_role(user):
        return True
    has_device = request.session.get(HAS_DEVICE_SESSION_KEY)
    if has_device is None:
        has_device = request.session[HAS_DEVICE_SESSION_KEY] = user_has_device(user, confirmed=True)
    return has_device


def has_totp(user) -> bool:
    return TOTPDevice.objects.filter(user=user, confirmed=True).exists()


def pending_totp_device(user) -> TOTPDevice:
    """The unconfirmed device being set up (one per user, made on first need)."""
    device = TOTPDevice.objects.filter(user=user, confirmed=False).first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name=TOTP_NAME, confirmed=False)
    return device


@transaction.atomic
def totp_enroll(*, user, code: str, request=None) -> tuple[TOTPDevice, list[str]] | None:
    """Confirm the pending device with a first code; returns it and fresh recovery codes,
    or None when the code is wrong."""
    device = pending_totp_device(user)
    if not device.verify_token(code.strip()):
        return None
    TOTPDevice.objects.filter(user=user, confirmed=True).delete()
    device.confirmed = True
    device.save(update_fields=["confirmed"])
    codes = recovery_codes_renew(user=user)
    if request is not None and hasattr(request, "session"):
        request.session[HAS_DEVICE_SESSION_KEY] = True
    sign_in_event_record(Kind.SECOND_FACTOR_ENROLLED, request=request, user=user)
    return device, codes


@transaction.atomic
def totp_device_issue(*, user) -> tuple[TOTPDevice, list[str]]:
    """A confirmed authenticator key and fresh recovery codes made without a first code,
    replacing any the user had: for the demo users (seed_demo), whose key is printed."""
    TOTPDevice.objects.filter(user=user).delete()
    device = TOTPDevice.objects.create(user=user, name=TOTP_NAME, confirmed=True)
    return device, recovery_codes_renew(user=user)


# Recovery codes are typed from paper: no 0/o, 1/l/i. Two halves of seven characters (about
# 69 bits) fit django-otp's 16-character StaticToken.token.
RECOVERY_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"


def _code_half() -> str:
    return "".join(secrets.choice(RECOVERY_ALPHABET) for _ in range(7))


@transaction.atomic
def recovery_codes_renew(*, user) -> list[str]:
    """Replace the user's recovery codes with VIGIL_RECOVERY_CODES new single-use ones."""
    device, _ = StaticDevice.objects.get_or_create(
        user=user, name=RECOVERY_NAME, defaults={"confirmed": True}
    )
    device.token_set.all().delete()
    codes = [f"{_code_half()}-{_code_half()}" for _ in range(settings.VIGIL_RECOVERY_CODES)]
    StaticToken.objects.bulk_create(StaticToken(device=device, token=code) for code in codes)
    return codes


def verify(*, user, code: str, request=None):
    """The device that accepts `code` (TOTP or an unused recovery code), or None.
    A recovery code is used up."""
    code = (code or "").strip()
    if code:
        for device in devices_for_user(user, confirmed=True):
            if device.verify_token(code):
                kind = Kind.RECOVERY_CODE_USED if isinstance(device, StaticDevice) else Kind.SECOND_FACTOR
                sign_in_event_record(kind, request=request, user=user)
                return device
    sign_in_event_record(Kind.SECOND_FACTOR_FAILED, request=request, user=user)
    return None


def recovery_codes_left(user) -> int:
    return StaticToken.objects.filter(device__user=user, device__confirmed=True).count()
