from django import forms

from .models import Channel, Kind


class PreferencesForm(forms.Form):
    """One multiple choice of channels per kind of notification."""

    def __init__(self, *args, initial_choices: dict[str, list[str]], **kwargs):
        super().__init__(*args, **kwargs)
        for kind, label in Kind.choices:
            self.fields[kind] = forms.MultipleChoiceField(
                label=label,
                choices=Channel.choices,
                required=False,
                initial=initial_choices.get(kind, []),
                widget=forms.CheckboxSelectMultiple,
            )


class TimeZoneForm(forms.Form):
    time_zone = forms.ChoiceField(label="Show times in", required=False)

    def __init__(self, *args, **kwargs):
        from .timezones import time_zone_names

        super().__init__(*args, **kwargs)
        self.fields["time_zone"].choices = [
            ("", "The server's time zone"),
            *((n, n) for n in time_zone_names()),
        ]
