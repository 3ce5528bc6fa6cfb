"""The built-in External Dynamic List: blocks become rows served by /feeds/ip-blocklist.txt,
which PAN-OS and FortiGate firewalls poll."""

from django.db import IntegrityError, transaction
from django.utils import timezone

from containment.models import BlocklistEntry
from playbooks.registry import ActionKey

from .base import Connector


class EdlConnector(Connector):
    name = "edl"
    kinds = frozenset({ActionKey.BLOCK_IP})

    def execute(self, action):
        comment = f"vigil {action.case.reference} action {action.pk}"
        try:
            with transaction.atomic():
                entry, created = BlocklistEntry.objects.get_or_create(
                    network=action.target,
                    action=action,
                    removed_at=None,
                    defaults={"expires_at": action.expires_at, "comment": comment},
                )
        except IntegrityError:  # a concurrent run listed it first: that is success too
            entry, created = (
                BlocklistEntry.objects.get(network=action.target, action=action, removed_at=None),
                False,
            )
        if not created and entry.expires_at != action.expires_at:
            BlocklistEntry.objects.filter(pk=entry.pk).update(expires_at=action.expires_at)
        others = (
            BlocklistEntry.objects.active(timezone.now())
            .filter(network=action.target)
            .exclude(pk=entry.pk)
            .count()
        )
        return {
            "network": action.target,
            "listed": True,
            "already_listed": not created,
            "listed_by_other_actions": others,
        }

    def revert(self, action):
        removed = BlocklistEntry.objects.filter(action=action, removed_at__isnull=True).update(
            removed_at=timezone.now()
        )
        still = BlocklistEntry.objects.active(timezone.now()).filter(network=action.target).exists()
        return {"network": action.target, "removed": removed, "still_listed_by_other_actions": still}
