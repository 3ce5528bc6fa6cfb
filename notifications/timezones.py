"""The per-user time zone: stored in PersonalSettings, cached, activated per request."""

from __future__ import annotations

import zoneinfo
from functools import cache as memoize

from django.core.cache import cache
from django.utils import timezone

from soc.errors import DomainError

from .models import PersonalSettings

CACHE_SECONDS = 3600


@memoize
def time_zone_names() -> list[str]:
    return sorted(zoneinfo.available_timezones() - {"localtime", "Factory"})


def _key(user_id: int) -> str:
    return f"vigil:tz:{user_id}"


def user_time_zone(user) -> str:
    """The user's time zone name, or "" for the server's."""
    name = cache.get(_key(user.pk))
    if name is None:
        name = PersonalSettings.objects.filter(user=user).values_list("time_zone", flat=True).first() or ""
        cache.set(_key(user.pk), name, CACHE_SECONDS)
    return name


def user_time_zone_set(*, user, name: str) -> None:
    if name and name not in time_zone_names():
        raise DomainError("Unknown time zone.", errors={"time_zone": ["Choose a time zone from the list."]})
    PersonalSettings.objects.update_or_create(user=user, defaults={"time_zone": name})
    cache.delete(_key(user.pk))


class UserTimeZoneMiddleware:
    """Show times in the user's time zone (after AuthenticationMiddleware)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        name = user_time_zone(user) if user is not None and user.is_authenticated else ""
        if name:
            timezone.activate(zoneinfo.ZoneInfo(name))
        else:
            timezone.deactivate()
        try:
            return self.get_response(request)
        finally:
            timezone.deactivate()
