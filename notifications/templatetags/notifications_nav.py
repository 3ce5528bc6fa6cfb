"""The navigation bar's counters: unread notifications (the bell) and, for approvers,
the containment actions waiting for approval."""

from django import template

from containment import policy
from containment.models import ContainmentAction

from ..services import unread_count

register = template.Library()


@register.inclusion_tag("notifications/_nav.html", takes_context=True)
def nav_counts(context):
    request = context.get("request")
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"show": False}
    approver = policy.may_approve_role(user)
    pending = (
        ContainmentAction.objects.filter(status=ContainmentAction.Status.PROPOSED).count() if approver else 0
    )
    return {"show": True, "unread": unread_count(user), "approver": approver, "pending": pending}
