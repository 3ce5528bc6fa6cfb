"""The navigation bar's counters: unread notifications (the bell) and, for approvers,
the containment actions waiting for approval."""

from django import template
from django.core.cache import cache

from containment import policy
from containment.models import ContainmentAction

from ..services import unread_count

register = template.Library()

PENDING_CACHE_SECONDS = 10


def pending_approvals_count() -> int:
    """How many actions wait for approval (cached a few seconds: every approver's page
    shows it; the inbox itself is always exact)."""
    count = cache.get("vigil:approvals:pending")
    if count is None:
        count = ContainmentAction.objects.filter(status=ContainmentAction.Status.PROPOSED).count()
        cache.set("vigil:approvals:pending", count, PENDING_CACHE_SECONDS)
    return count


@register.inclusion_tag("notifications/_nav.html", takes_context=True)
def nav_counts(context):
    request = context.get("request")
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"show": False}
    approver = policy.may_approve_role(user)
    pending = pending_approvals_count() if approver else 0
    return {"show": True, "unread": unread_count(user), "approver": approver, "pending": pending}
