"""Field, index and constraint builders the apps' models and their Meta classes share."""

from django.conf import settings
from django.db import models
from django.db.models import Q


class Timestamped(models.Model):
    """When the row was created and last saved (Django sets both)."""

    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        abstract = True


def optional_user(*, related_name: str = "+") -> models.ForeignKey:
    """A user the row names and outlives (an assignee, an author): empty, or emptied when the
    user is deleted. No index of its own: most rows name no one, so the model indexes the
    column where it is set (`index_where_set`, or a composite index), which also serves the
    SET_NULL of a deleted user."""
    return models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name=related_name,
        db_index=False,
    )


def index_where_set(field: str, *, name: str) -> models.Index:
    """An index of `field` over the rows where it is not NULL: for a column empty in most
    rows (a nullable foreign key, a time set late in a row's life), so that the other rows
    write no index entry and the lookups of the set ones (SET_NULL, a filter) stay fast."""
    return models.Index(fields=[field], name=name, condition=Q(**{f"{field}__isnull": False}))


def status_has_time(status: str, field: str, *, name: str) -> models.CheckConstraint:
    """A row whose `status` is `status` has `field` set (e.g. a closed case has closed_at)."""
    return models.CheckConstraint(condition=~Q(status=status) | Q(**{f"{field}__isnull": False}), name=name)
