"""The metrics filters: a date range (default: the last 30 days) and a team (a group)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django import forms
from django.contrib.auth.models import Group
from django.utils import timezone


@dataclass(frozen=True)
class Period:
    start: datetime  # inclusive
    end: datetime  # exclusive
    team: Group | None = None

    def days(self) -> list[date]:
        first, last = self.start.date(), (self.end - timedelta(microseconds=1)).date()
        return [first + timedelta(days=n) for n in range((last - first).days + 1)]


DEFAULT_DAYS = 30
MAX_DAYS = 366


class PeriodForm(forms.Form):
    start = forms.DateField(required=False, label="From", widget=forms.DateInput(attrs={"type": "date"}))
    end = forms.DateField(
        required=False, label="To (inclusive)", widget=forms.DateInput(attrs={"type": "date"})
    )
    team = forms.ModelChoiceField(
        queryset=Group.objects.order_by("name"), required=False, empty_label="All teams", label="Team"
    )

    def clean(self):
        data = super().clean()
        today = timezone.localdate()
        end = data.get("end") or today
        start = data.get("start") or end - timedelta(days=DEFAULT_DAYS - 1)
        if start > end:
            self.add_error("start", "The start must be on or before the end.")
        elif (end - start).days >= MAX_DAYS:
            self.add_error("start", f"Choose at most {MAX_DAYS} days.")
        data["start"], data["end"] = start, end
        return data

    @classmethod
    def with_defaults(cls) -> PeriodForm:
        """A valid form showing the default range in its fields."""
        end = timezone.localdate()
        form = cls({"start": (end - timedelta(days=DEFAULT_DAYS - 1)).isoformat(), "end": end.isoformat()})
        form.is_valid()
        return form

    def period(self) -> Period:
        zone = timezone.get_current_timezone()
        data = self.cleaned_data
        return Period(
            start=datetime.combine(data["start"], time.min, zone),
            end=datetime.combine(data["end"] + timedelta(days=1), time.min, zone),
            team=data.get("team"),
        )
