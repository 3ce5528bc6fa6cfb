"""Session lifetime: an absolute limit (VIGIL_SESSION_MAX_HOURS, also the cookie's age) and
an idle timeout (VIGIL_SESSION_IDLE_HOURS), both checked on every request."""

import time

from django.conf import settings

STARTED = "vigil_started"
SEEN = "vigil_seen"
SSO = "vigil_sso"
# The last-seen stamp is rewritten at most this often, so most requests do not save the session.
SEEN_RESOLUTION_SECONDS = 60


def session_started(request, *, sso: bool) -> None:
    now = int(time.time())
    request.session[STARTED] = now
    request.session[SEEN] = now
    request.session[SSO] = sso


def expired_because(session, now: float) -> str:
    """'' while the session may go on, else 'idle' or 'lifetime'."""
    started, seen = session.get(STARTED), session.get(SEEN)
    if started is None or seen is None:
        # A session from before these stamps existed (or a test's force_login): start them now.
        return ""
    if now - started > settings.VIGIL_SESSION_MAX_HOURS * 3600:
        return "lifetime"
    if now - seen > settings.VIGIL_SESSION_IDLE_HOURS * 3600:
        return "idle"
    return ""


def touch(session, now: float) -> None:
    if session.get(STARTED) is None:
        session[STARTED] = int(now)
    seen = session.get(SEEN)
    if seen is None or now - seen >= SEEN_RESOLUTION_SECONDS:
        session[SEEN] = int(now)


def is_sso_session(request) -> bool:
    return bool(getattr(request, "session", {}).get(SSO))
