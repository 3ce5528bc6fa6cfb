"""The case list's filters and sorting, shared by the HTML list and the API (django-filter).

Every filter maps to an indexed column: status, severity, tier, technique_id,
assignee_id (FK), and the observable value (Observable.value index; the free-text ``q``
searches titles and observable values with a case-insensitive contains, which a trigram
index would speed up on PostgreSQL).
"""

from __future__ import annotations

from datetime import timedelta

import django_filters
from django import forms
from django.contrib.auth import get_user_model
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone

from .models import Alert, Case, CaseObservable, IngestSource
from .models.alerts import Severity

SORTS = (
    ("opened_at", "opened"),
    ("severity", "severity"),
    ("sla_due_at", "sla_due"),
    ("updated_at", "updated"),
    ("status", "status"),
    ("reference", "reference"),
    ("sla_stage_due_at", "sla_stage_due"),
)


def text_search(value: str) -> Q:
    """Cases whose reference, title, an observable value or an alert's source reference
    matches `value` (the header's search box and the list's ``q``)."""
    # Exists() instead of joins: one row per case, no DISTINCT over wide rows. The source
    # reference is matched exactly (it is an id) through the unique (source, source_ref)
    # index: naming every source makes its leading column usable (sources are few).
    observables = CaseObservable.objects.filter(case=OuterRef("pk"), observable__value__icontains=value)
    source_ids = list(IngestSource.objects.values_list("pk", flat=True))
    alert_cases = Alert.objects.filter(source_id__in=source_ids, source_ref=value).values("case_id")
    return (
        Q(title__icontains=value) | Q(reference__iexact=value) | Exists(observables) | Q(pk__in=alert_cases)
    )


SORT_LABELS = {
    "opened_at": "Opened",
    "severity": "Severity",
    "sla_due_at": "SLA due",
    "updated_at": "Updated",
    "status": "Status",
    "reference": "Reference",
    "sla_stage_due_at": "Next SLA deadline",
}


class CaseFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(
        method="filter_text",
        label="Search",
        help_text="Reference, title, observable or alert source reference.",
    )
    # Checkboxes: the default SelectMultiple renders no control inside the fieldset.
    status = django_filters.MultipleChoiceFilter(
        choices=Case.Status.choices, label="Status", widget=forms.CheckboxSelectMultiple
    )
    severity = django_filters.MultipleChoiceFilter(
        choices=Severity.choices, label="Severity", widget=forms.CheckboxSelectMultiple
    )
    tier = django_filters.ChoiceFilter(choices=Case.Tier.choices, label="Tier", empty_label="Any tier")
    technique = django_filters.CharFilter(
        method="filter_technique", label="Technique", help_text="e.g. T1591 or T1591.002"
    )
    assignee = django_filters.CharFilter(
        method="filter_assignee", label="Assignee", help_text="A username, 'me' or 'none'."
    )
    observable = django_filters.CharFilter(method="filter_observable", label="Observable value (exact)")
    open = django_filters.BooleanFilter(
        method="filter_open",
        label="Open or closed",
        widget=forms.Select(
            choices=[("", "Open and closed"), ("true", "Open only"), ("false", "Closed only")]
        ),
    )
    # SLA (sla app): on the running stage's due time (partial index case_sla_stage_due_idx).
    sla_breached = django_filters.BooleanFilter(
        method="filter_sla_breached",
        label="SLA",
        widget=forms.Select(choices=[("", "Any"), ("true", "Breached"), ("false", "Not breached")]),
    )
    sla_breaching_within = django_filters.NumberFilter(
        method="filter_sla_breaching_within",
        label="SLA breaching within (minutes)",
        min_value=0,
        max_value=525600,
    )
    o = django_filters.OrderingFilter(
        fields=SORTS, field_labels=SORT_LABELS, label="Sort by", empty_label="Newest first"
    )

    class Meta:
        model = Case
        fields: list[str] = []

    def filter_text(self, queryset, name, value):
        value = value.strip()
        if not value:
            return queryset
        return queryset.filter(text_search(value))

    def filter_technique(self, queryset, name, value):
        value = value.strip().upper()
        if not value:
            return queryset
        if "." in value:
            return queryset.filter(technique_id=value)
        # A parent technique also finds its sub-techniques (T1591 -> T1591.002).
        return queryset.filter(Q(technique_id=value) | Q(technique_id__startswith=value + "."))

    def filter_assignee(self, queryset, name, value):
        value = value.strip()
        if not value:
            return queryset
        if value.lower() == "none":
            return queryset.filter(assignee__isnull=True)
        if value.lower() == "me":
            user = getattr(self.request, "user", None)
            return queryset.filter(assignee=user) if user and user.is_authenticated else queryset.none()
        user_id = (
            get_user_model()
            .objects.filter(**{get_user_model().USERNAME_FIELD: value})
            .values_list("pk", flat=True)
            .first()
        )
        return queryset.filter(assignee_id=user_id) if user_id else queryset.none()

    def filter_observable(self, queryset, name, value):
        value = value.strip()
        if not value:
            return queryset
        matching = CaseObservable.objects.filter(
            case=OuterRef("pk"), observable__value__in={value, value.lower()}
        )
        return queryset.filter(Exists(matching))

    def filter_open(self, queryset, name, value):
        if value is None:
            return queryset
        closed = [Case.Status.RESOLVED, Case.Status.CLOSED]
        return queryset.open() if value else queryset.filter(status__in=closed)

    def filter_sla_breached(self, queryset, name, value):
        if value is None:
            return queryset
        now = timezone.now()
        if value:
            return queryset.filter(sla_stage_due_at__lt=now)
        return queryset.filter(Q(sla_stage_due_at__gte=now) | Q(sla_stage_due_at__isnull=True))

    def filter_sla_breaching_within(self, queryset, name, value):
        """Running stage not yet breached but due within `value` minutes."""
        if value is None:
            return queryset
        now = timezone.now()
        return queryset.filter(
            sla_stage_due_at__gte=now, sla_stage_due_at__lte=now + timedelta(minutes=float(value))
        )
