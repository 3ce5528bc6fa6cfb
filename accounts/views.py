"""Sign-in pages: the login form (password and/or single sign-on), the second factor
(set up, verify, recovery codes), the single sign-on refusal, and for superusers the
lockouts (with unlock) and the sign-in audit log (page and CSV)."""

import csv
import itertools
import json

import django_otp
from axes.models import AccessAttempt
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_not_required, user_passes_test
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import HttpResponseNotAllowed, StreamingHttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_http_methods, require_POST

from . import lockouts, oidc, second_factor
from .forms import CodeForm, PasswordSignInForm
from .models import SignInEvent


def superuser_required(view):
    """Superusers only; anyone else signed in gets 403."""

    def check(user):
        if user.is_active and user.is_superuser:
            return True
        raise PermissionDenied

    return user_passes_test(check)(view)


class LoginView(auth_views.LoginView):
    form_class = PasswordSignInForm
    redirect_authenticated_user = True

    def post(self, request, *args, **kwargs):
        if not settings.VIGIL_PASSWORD_LOGIN:
            return HttpResponseNotAllowed(["GET"], "Password sign-in is switched off; use single sign-on.")
        return super().post(request, *args, **kwargs)


login_view = login_not_required(LoginView.as_view())


@login_not_required
def sso_refused(request):
    reason = request.session.pop(oidc.REFUSAL_SESSION_KEY, "") or "The identity provider did not sign you in."
    return render(request, "registration/sso_refused.html", {"reason": reason}, status=403)


def _next_url(request) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return settings.LOGIN_REDIRECT_URL


@require_http_methods(["GET", "POST"])
def second_factor_verify(request):
    if not second_factor.has_totp(request.user):
        return redirect("accounts:second-factor-setup")
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        device = second_factor.verify(user=request.user, code=form.cleaned_data["code"], request=request)
        if device is not None:
            django_otp.login(request, device)
            left = second_factor.recovery_codes_left(request.user)
            if left <= 2:
                messages.warning(request, f"{left} recovery codes left: make new ones on your profile.")
            return redirect(_next_url(request))
        form.add_error("code", "That code is not valid.")
    status = 400 if request.method == "POST" else 200
    return render(
        request, "registration/second_factor.html", {"form": form, "next": _next_url(request)}, status=status
    )


@require_http_methods(["GET", "POST"])
def second_factor_setup(request):
    """Set up (or replace) the authenticator app. Replacing one needs a verified session."""
    if second_factor.has_totp(request.user) and not request.user.is_verified():
        return redirect("accounts:second-factor")
    device = second_factor.pending_totp_device(request.user)
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        enrolled = second_factor.totp_enroll(
            user=request.user, code=form.cleaned_data["code"], request=request
        )
        if enrolled is not None:
            confirmed, codes = enrolled
            django_otp.login(request, confirmed)
            return render(
                request,
                "registration/recovery_codes.html",
                {"codes": codes, "next": _next_url(request)},
                status=201,
            )
        form.add_error("code", "That code is not valid; check the time on your phone.")
    context = {
        "form": form,
        "secret": device_secret(device),
        "otpauth_uri": device.config_url,
        "next": _next_url(request),
        "required": second_factor.required_by_role(request.user),
    }
    return render(
        request, "registration/second_factor_setup.html", context, status=400 if form.errors else 200
    )


def device_secret(device) -> str:
    import base64

    return base64.b32encode(device.bin_key).decode().rstrip("=")


@require_POST
def recovery_codes_renew(request):
    if not (second_factor.has_totp(request.user) and request.user.is_verified()):
        return redirect("accounts:second-factor")
    codes = second_factor.recovery_codes_renew(user=request.user)
    return render(request, "registration/recovery_codes.html", {"codes": codes, "next": ""}, status=201)


# --- superusers: lockouts and the audit log -------------------------------------------


@superuser_required
def lockout_list(request):
    attempts = lockouts.locked_attempts()
    return render(request, "registration/lockouts.html", {"attempts": attempts})


@superuser_required
@require_POST
def lockout_release(request, attempt_pk: int):
    attempt = get_object_or_404(AccessAttempt, pk=attempt_pk)
    lockouts.lockout_release(attempt=attempt, by=request.user, request=request)
    messages.success(request, f"Released {attempt.username or attempt.ip_address}.")
    return redirect("accounts:lockouts")


EXPORT_COLUMNS = ["created_at", "kind", "username", "ip_address", "user_agent", "detail"]


class _Echo:
    def write(self, value):
        return value


@superuser_required
def sign_in_events(request):
    events = SignInEvent.objects.recent()
    kind = request.GET.get("kind", "")
    if kind in SignInEvent.Kind.values:
        events = events.filter(kind=kind)
    if request.GET.get("format") == "csv":
        writer = csv.writer(_Echo())
        rows = (
            [
                e.created_at.isoformat(),
                e.kind,
                _cell(e.username),
                e.ip_address or "",
                _cell(e.user_agent),
                _cell(json.dumps(e.detail, ensure_ascii=False)),
            ]
            for e in events.iterator(chunk_size=1000)
        )
        response = StreamingHttpResponse(
            (writer.writerow(row) for row in itertools.chain([EXPORT_COLUMNS], rows)), content_type="text/csv"
        )
        response["Content-Disposition"] = 'attachment; filename="vigil-sign-in-events.csv"'
        return response
    page = Paginator(events, 100).get_page(request.GET.get("page"))
    return render(
        request,
        "registration/sign_in_events.html",
        {"page": page, "kinds": SignInEvent.Kind.choices, "kind": kind},
    )


def _cell(value: str) -> str:
    """Typed usernames and browser strings are attacker-controlled: a leading =, +, - or @
    would be a formula in a spreadsheet, so such a cell starts with a quote."""
    return f"'{value}" if value[:1] in ("=", "+", "-", "@", "\t", "\r") else value
