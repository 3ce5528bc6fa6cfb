"""The user's profile: personal API tokens (created and shown once, listed, revoked)."""

from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_GET, require_POST

from accounts.second_factor import has_totp, recovery_codes_left
from cases.forms import TokenForm
from cases.models import ApiToken
from cases.services.tokens import user_token_create, user_token_revoke
from soc.errors import DomainError

from ._common import flash_domain_error


def _context(request, form=None, new_token=None):
    return {
        "form": form or TokenForm(),
        "tokens": ApiToken.objects.filter(user=request.user).order_by("-created_at"),
        "new_token": new_token,
        "user_has_totp": has_totp(request.user),
        "recovery_codes_left": recovery_codes_left(request.user),
    }


@require_GET
def profile(request):
    """Any logged-in user (the login middleware guards it) manages their own tokens."""
    return render(request, "cases/profile.html", _context(request))


@require_POST
def token_create(request):
    form = TokenForm(request.POST)
    if form.is_valid():
        try:
            _token, plain = user_token_create(
                user=request.user,
                name=form.cleaned_data["name"],
                by=request.user,
                read_only=form.cleaned_data["read_only"],
                expires_in_days=form.cleaned_data["expires_in_days"],
                request=request,
            )
        except DomainError as exc:
            flash_domain_error(request, exc)
        else:
            # Rendered, not redirected: the plain token must not travel through the session.
            response = render(request, "cases/profile.html", _context(request, new_token=plain), status=201)
            response["Cache-Control"] = "no-store"
            return response
    return render(request, "cases/profile.html", _context(request, form=form), status=400)


@require_POST
def token_revoke(request, token_pk: int):
    # Only the user's own tokens are found at all: someone else's is a 404.
    token = get_object_or_404(ApiToken, pk=token_pk, user=request.user)
    user_token_revoke(token=token, by=request.user, request=request)
    messages.success(request, f"Token “{token.name}” revoked.")
    return redirect("cases:profile")
