"""Where reads of alerts and cases start: the access guard, and the shapes pages read."""

from django.db import models


class CaseDataQuerySet(models.QuerySet):
    """Rows of the case data (cases and their alerts), visible to whoever may view cases."""

    def visible_to(self, user):
        """The access guard: start every user-facing query here."""
        if not user.is_authenticated or not user.has_perm("cases.view_case"):
            return self.none()
        return self


class AlertQuerySet(CaseDataQuerySet):
    """Alerts: seen by whoever may view the cases they belong to."""


class CaseQuerySet(CaseDataQuerySet):
    def open(self):
        return self.exclude(status__in=[self.model.Status.RESOLVED, self.model.Status.CLOSED])

    def for_list(self):
        """What list pages and the list API show, in a constant number of queries."""
        return self.select_related("assignee", "playbook_version")
