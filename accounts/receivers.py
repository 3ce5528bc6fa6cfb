"""Django's and django-axes's sign-in signals, written to the audit log."""

from axes.signals import user_locked_out
from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.dispatch import receiver

from .audit import Kind, sign_in_event_record


@receiver(user_logged_in, dispatch_uid="accounts-sign-in")
def _signed_in(sender, request, user, **kwargs):
    method = "sso" if getattr(user, "_vigil_sso", False) else "password"
    if request is not None and hasattr(request, "session"):
        from django_otp import user_has_device

        from .second_factor import HAS_DEVICE_SESSION_KEY
        from .sessions import session_started

        session_started(request, sso=method == "sso")
        # Asked once here, so the second-factor gate costs no query per request.
        request.session[HAS_DEVICE_SESSION_KEY] = user_has_device(user, confirmed=True)
    sign_in_event_record(Kind.SIGN_IN, request=request, user=user, method=method)


@receiver(user_logged_out, dispatch_uid="accounts-sign-out")
def _signed_out(sender, request, user, **kwargs):
    if user is None:
        return
    reason = getattr(request, "_vigil_logout_reason", "") if request is not None else ""
    if reason:
        return  # recorded by whoever ended the session (e.g. SESSION_EXPIRED)
    sign_in_event_record(Kind.SIGN_OUT, request=request, user=user)


@receiver(user_login_failed, dispatch_uid="accounts-sign-in-failed")
def _sign_in_failed(sender, credentials, request=None, **kwargs):
    username = str((credentials or {}).get("username") or "")
    locked = bool(getattr(request, "axes_locked_out", False))
    sign_in_event_record(
        Kind.FAILURE, request=request, username=username, reason="locked out" if locked else "bad credentials"
    )


@receiver(user_locked_out, dispatch_uid="accounts-locked-out")
def _locked_out(sender, request, username, ip_address, **kwargs):
    sign_in_event_record(Kind.LOCKOUT, request=request, username=username or "", address=ip_address)
