"""Lockouts (django-axes AccessAttempt rows past the failure limit) and releasing them."""

from axes.helpers import get_cool_off
from axes.models import AccessAttempt
from django.conf import settings
from django.db import transaction
from django.utils import timezone

from .audit import Kind, sign_in_event_record


def locked_attempts():
    """Attempt rows that currently lock an account or an address."""
    attempts = AccessAttempt.objects.filter(failures_since_start__gte=settings.AXES_FAILURE_LIMIT)
    cool_off = get_cool_off()
    if cool_off is not None:
        attempts = attempts.filter(attempt_time__gte=timezone.now() - cool_off)
    return attempts.order_by("-attempt_time")


@transaction.atomic
def lockout_release(*, attempt: AccessAttempt, by, request=None) -> None:
    """Release one lockout (its attempt row) and say so in the audit log."""
    username, address = attempt.username or "", attempt.ip_address
    attempt.delete()
    sign_in_event_record(
        Kind.UNLOCK, request=request, username=username, address=address, by=by.get_username() if by else ""
    )
