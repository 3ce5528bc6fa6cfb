"""HTML forms for the case pages. They parse input; the services decide what is required
and allowed (their DomainError field errors are shown on these forms)."""

from __future__ import annotations

from django import forms

from .models import Case, CaseStep, Observable
from .resolvers import for_form, resolve_assignee, resolve_case, resolve_criteria
from .services.bulk import assignee_refusals
from .services.workflow import L1_RESOLUTIONS, T2_RESOLUTIONS, assignable_users


def _choices(values) -> list[tuple[str, str]]:
    return [(v, Case.Resolution(v).label) for v in values]


class VersionedForm(forms.Form):
    """The case version the page showed: a transition based on a stale page is refused.
    `case` and `user` are what the form's references are resolved against."""

    version = forms.IntegerField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args, case: Case, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.case, self.user = case, user


class StepForm(forms.Form):
    value = forms.ChoiceField(required=False, label="Value")
    note = forms.CharField(required=False, label="Note", max_length=10_000)

    def __init__(self, *args, step: CaseStep, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["value"].choices = [(v, CaseStep.Value(v).label) for v in step.allowed_values()]


class AssignForm(VersionedForm):
    # A username, as the API takes it; the choices only help (anything else is resolved
    # and refused the way the API refuses it).
    assignee = forms.CharField(label="Assign to", max_length=150, widget=forms.Select)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        users = [(u.get_username(), u.get_username()) for u in assignable_users(self.case)]
        self.fields["assignee"].widget.choices = [("", "Choose an analyst"), *users]

    def clean_assignee(self):
        return for_form(resolve_assignee, self.case, self.cleaned_data["assignee"])


class CloseForm(VersionedForm):
    resolution = forms.ChoiceField(
        required=False, label="Resolution", choices=[("", "Choose a resolution"), *_choices(L1_RESOLUTIONS)]
    )
    duplicate_of = forms.CharField(
        required=False,
        label="Duplicate of (case reference)",
        max_length=20,
        help_text="e.g. CASE-2026-000123",
    )
    note = forms.CharField(required=False, label="Closing note", widget=forms.Textarea(attrs={"rows": 2}))
    reason = forms.CharField(required=False, label="Reason for closing against Vigil's recommendation")

    def clean_duplicate_of(self):
        given = self.cleaned_data["duplicate_of"].strip()
        return for_form(resolve_case, self.user, given, field="duplicate_of") if given else None


class StepIdsField(forms.Field):
    """Several step ids (repeated fields, as a multiple select or checkboxes post them)."""

    widget = forms.MultipleHiddenInput

    def to_python(self, value) -> list[int]:
        try:
            return [int(v) for v in value or [] if str(v).strip()]
        except (TypeError, ValueError):
            raise forms.ValidationError("Give step ids (whole numbers).") from None


class EscalateForm(VersionedForm):
    note = forms.CharField(
        required=False, label="Hand-off note for T2", widget=forms.Textarea(attrs={"rows": 2})
    )
    reason = forms.CharField(
        required=False,
        label="Reason for escalating against Vigil's recommendation",
        help_text="Only when Vigil recommends closing.",
    )
    # The escalation-criterion steps that are met, as the API's `criteria` (left out: the
    # criteria stay as the step forms set them).
    criteria = StepIdsField(required=False)

    def clean_criteria(self):
        if self.add_prefix("criteria") not in self.data:
            return None
        ids = self.cleaned_data["criteria"]
        return [step.pk for step in for_form(resolve_criteria, self.case, ids)] if ids else []


class NoteForm(VersionedForm):
    """A transition that only takes a note; `note_label` says what the note is for."""

    note_label = "Note"
    note = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["note"].label = self.note_label


class ReturnForm(NoteForm):
    note_label = "Why it goes back to L1"


class ReopenForm(NoteForm):
    note_label = "Why it is reopened"


class ResolveForm(VersionedForm):
    resolution = forms.ChoiceField(required=False, label="Resolution", choices=_choices(T2_RESOLUTIONS))
    summary = forms.CharField(
        required=False, label="Resolution summary", widget=forms.Textarea(attrs={"rows": 2})
    )


class CommentForm(forms.Form):
    body = forms.CharField(
        label="Comment (Markdown)", widget=forms.Textarea(attrs={"rows": 3}), max_length=20_000
    )


class TokenForm(forms.Form):
    name = forms.CharField(label="Token name", max_length=100, help_text="What will use it, e.g. 'SOAR'.")
    expires_in_days = forms.IntegerField(
        label="Expires after (days)",
        min_value=0,
        max_value=3650,
        required=False,
        help_text="Empty: the default (VIGIL_API_TOKEN_DAYS); 0: never.",
    )
    read_only = forms.BooleanField(label="Read-only", required=False, help_text="Only reads; no changes.")


# The form each transition posts; its prefix is the action name, so several forms live on
# one page without clashing ids.
TRANSITION_FORMS: dict[str, type[VersionedForm]] = {
    "claim": VersionedForm,
    "unassign": VersionedForm,
    "contain": VersionedForm,
    "assign": AssignForm,
    "close": CloseForm,
    "escalate": EscalateForm,
    "return": ReturnForm,
    "reopen": ReopenForm,
    "resolve": ResolveForm,
}


def transition_form(action: str, case: Case, user, data=None) -> VersionedForm:
    return TRANSITION_FORMS[action](
        data, prefix=action, initial={"version": case.version}, case=case, user=user
    )


class AssigneeChoiceField(forms.ModelChoiceField):
    """An analyst by username (what the API takes), shown with their role."""

    def label_from_instance(self, user) -> str:
        roles = ", ".join(group.name for group in user.groups.all())
        if user.is_superuser and not roles:
            roles = "administrator"
        return f"{user.get_username()} ({roles})" if roles else user.get_username()


class BulkActionForm(forms.Form):
    """The case list's action on its selected rows. Which fields an action needs is checked
    here, and that the assignee may be given every selected case (the services check the
    rest, case by case). `users` are the assignees the acting user may choose from; without
    any, "assign" is not offered."""

    ACTIONS = [("claim", "Claim"), ("assign", "Assign to…"), ("close", "Close…"), ("merge", "Merge into…")]

    action = forms.ChoiceField(label="Action", choices=ACTIONS)
    cases = forms.ModelMultipleChoiceField(queryset=Case.objects.none(), label="Cases")
    assignee = AssigneeChoiceField(
        queryset=None,
        required=False,
        label="Assign to",
        empty_label="Choose an analyst",
        to_field_name="username",
        error_messages={
            "invalid_choice": "Choose an analyst from the list: you cannot assign cases to them."
        },
    )
    resolution = forms.ChoiceField(
        required=False,
        label="Resolution",
        choices=[("", "Choose a resolution"), *_choices(r for r in L1_RESOLUTIONS if r != "duplicate")],
    )
    reason = forms.CharField(required=False, label="Reason", max_length=5000)
    target = forms.ModelChoiceField(
        queryset=Case.objects.none(),
        required=False,
        label="Merge into (reference of a selected case)",
        to_field_name="reference",
        widget=forms.TextInput(attrs={"placeholder": "CASE-2026-000123"}),
    )

    def clean_target(self):
        return self.cleaned_data.get("target")

    def __init__(self, *args, cases, users, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["cases"].queryset = cases
        self.fields["target"].queryset = cases
        self.fields["assignee"].queryset = users
        if users.query.is_empty():
            self.fields["action"].choices = [a for a in self.ACTIONS if a[0] != "assign"]

    def clean(self):
        data = super().clean()
        action = data.get("action")
        required = {"assign": ["assignee"], "close": ["resolution", "reason"], "merge": ["target"]}
        for name in required.get(action, []):
            if not data.get(name) and name not in self.errors:
                self.add_error(name, "This field is required for this action.")
        if action == "assign" and data.get("assignee") and data.get("cases"):
            for problem in assignee_refusals(list(data["cases"]), data["assignee"]):
                self.add_error("assignee", problem)
        if action == "merge" and len(data.get("cases") or []) < 2:
            self.add_error("cases", "Select at least two cases to merge.")
        elif action == "merge" and data.get("target") and data["target"] not in data.get("cases", []):
            self.add_error("target", "Choose one of the selected cases.")
        return data


class SavedFilterForm(forms.Form):
    name = forms.CharField(label="Save these filters as", max_length=80)


class ObservableAddForm(forms.Form):
    type = forms.ChoiceField(label="Type", choices=Observable.Type.choices)
    value = forms.CharField(label="Value", max_length=2048)


class ObservableFlagForm(forms.Form):
    is_ioc = forms.BooleanField(label="IOC", required=False)
    tlp = forms.ChoiceField(label="TLP", choices=Observable.Tlp.choices, required=False)
    tags = forms.CharField(label="Tags (comma-separated)", required=False, max_length=1000)
    never_correlate = forms.BooleanField(label="Never correlate", required=False)
