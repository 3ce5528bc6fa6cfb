"""Index and constraint builders the apps' model Meta classes share."""

from django.db import models
from django.db.models import Q


def index_where_set(field: str, *, name: str) -> models.Index:
    """An index of `field` over the rows where it is not NULL: for a column empty in most
    rows (a nullable foreign key, a time set late in a row's life), so that the other rows
    write no index entry and the lookups of the set ones (SET_NULL, a filter) stay fast."""
    return models.Index(fields=[field], name=name, condition=Q(**{f"{field}__isnull": False}))


def status_has_time(status: str, field: str, *, name: str) -> models.CheckConstraint:
    """A row whose `status` is `status` has `field` set (e.g. a closed case has closed_at)."""
    return models.CheckConstraint(condition=~Q(status=status) | Q(**{f"{field}__isnull": False}), name=name)
