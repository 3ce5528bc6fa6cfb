"""Writing the sign-in audit log (accounts.models.SignInEvent).

One function per event family so callers never spell a kind twice; every caller passes
the request it has (address and browser come from it) and the user it knows of.
"""

from __future__ import annotations

from .models import SignInEvent

Kind = SignInEvent.Kind

USER_AGENT_MAX = 255


def client_address(request) -> str | None:
    """The client's address as django-axes sees it (so lockouts and the log agree)."""
    if request is None:
        return None
    from axes.helpers import get_client_ip_address

    address = getattr(request, "axes_ip_address", None) or get_client_ip_address(request)
    return address or None


def sign_in_event_record(kind: str, *, request=None, user=None, username: str = "", **detail) -> SignInEvent:
    """Append one event. `username` defaults to the user's; `detail` is stored as JSON."""
    if user is not None and not getattr(user, "is_authenticated", False):
        user = None
    agent = request.META.get("HTTP_USER_AGENT", "") if request is not None else ""
    return SignInEvent.objects.create(
        kind=kind,
        user=user,
        username=(username or (user.get_username() if user is not None else ""))[:150],
        ip_address=client_address(request),
        user_agent=agent[:USER_AGENT_MAX],
        detail=detail,
    )


def token_event_record(kind: str, *, token, request=None, by=None) -> SignInEvent:
    """Created, first use or revoked, for a personal token (ApiToken) or an ingest source."""
    owner = getattr(token, "user", None)
    label = getattr(token, "name", "")
    return sign_in_event_record(
        kind,
        request=request,
        user=owner if owner is not None else by,
        username=owner.get_username() if owner is not None else f"ingest:{label}",
        token=label,
        token_hint=getattr(token, "token_hint", ""),
        token_type="personal" if owner is not None else "ingest",
        **({"by": by.get_username()} if by is not None and getattr(by, "is_authenticated", False) else {}),
    )
