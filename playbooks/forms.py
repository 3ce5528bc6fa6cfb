"""Forms for the playbook editor (admin): the import upload and per-section item formsets."""

from django import forms
from django.core.exceptions import ValidationError

from . import attack
from .coverage import InvalidCoverage, normalise_covers
from .models import Playbook, PlaybookItem, PlaybookVersion


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", MultipleFileInput())
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        single = super().clean
        if isinstance(data, list | tuple):
            return [single(d, initial) for d in data]
        return [single(data, initial)]


class PlaybookImportForm(forms.Form):
    files = MultipleFileField(
        label="Playbook files (.md or .txt)",
        help_text="The seed format: a title line and a two-column table.",
    )
    publish = forms.BooleanField(
        label="Publish new versions", required=False, help_text="Otherwise they are created as drafts."
    )

    def clean_files(self):
        files = self.cleaned_data["files"]
        for upload in files:
            if not upload.name.lower().endswith((".md", ".txt")):
                raise ValidationError(f"{upload.name}: only .md and .txt files can be imported.")
        return files


class SectionItemForm(forms.ModelForm):
    """An item of one section; the section comes from the inline, not from the editor."""

    section_value: str = ""

    class Meta:
        model = PlaybookItem
        fields = ["order", "text", "assist", "action"]
        widgets = {"text": forms.Textarea(attrs={"rows": 2, "cols": 90})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.instance.section = self.section_value

    def clean_text(self):
        # One line, single spaces: the form the importer produces and the export keeps.
        text = " ".join(self.cleaned_data["text"].split())
        if not text:
            raise ValidationError("An item needs text.")
        return text


class SectionItemFormSet(forms.BaseInlineFormSet):
    def clean(self):
        super().clean()
        seen = set()
        for form in self.forms:
            if not getattr(form, "cleaned_data", None) or form.cleaned_data.get("DELETE"):
                continue
            order = form.cleaned_data.get("order")
            if order in seen:
                raise ValidationError(f"Two items have position {order}; each position may appear once.")
            seen.add(order)


class PlaybookVersionForm(forms.ModelForm):
    """A draft's own fields; the tactic id must be an ATT&CK tactic (or blank)."""

    class Meta:
        model = PlaybookVersion
        fields = ["name", "tactic", "tactic_id"]

    def clean(self):
        data = super().clean()
        tactic_id = (data.get("tactic_id") or "").strip().upper()
        if tactic_id:
            known = attack.tactic(tactic_id)
            if known is None:
                self.add_error("tactic_id", f"{tactic_id} is not an ATT&CK tactic id (e.g. TA0043).")
            elif not data.get("tactic"):
                data["tactic"] = known.name
            data["tactic_id"] = tactic_id
        return data


class PlaybookCoverageForm(forms.ModelForm):
    """The admin's coverage field: technique ids separated by commas (or spaces)."""

    covers = forms.CharField(
        required=False,
        label="Also covers",
        help_text="Related ATT&CK technique ids, e.g. T1656, T1566, T1110 (a parent covers its "
        "sub-techniques). Routing only: saving creates no new version.",
        widget=forms.TextInput(attrs={"size": 60}),
    )

    class Meta:
        model = Playbook
        fields = ["covers"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.initial["covers"] = ", ".join(self.instance.covers or [])

    def clean_covers(self):
        raw = self.cleaned_data["covers"].replace(";", ",").replace(" ", ",")
        try:
            return normalise_covers([v for v in raw.split(",") if v.strip()], own=self.instance.technique_id)
        except InvalidCoverage as exc:
            raise forms.ValidationError(exc.errors) from exc
