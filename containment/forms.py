"""HTML forms of the containment panel (the API has its own serializers)."""

from django import forms

from cases.resolvers import for_form, resolve_playbook_item, resolve_team_member
from playbooks.registry import ActionKey

DURATION_CHOICES = [
    ("", "Default (blocks: 24 hours; accounts: until reverted)"),
    ("3600", "1 hour"),
    ("86400", "24 hours"),
    ("604800", "7 days"),
    ("2592000", "30 days (needs approval)"),
    ("0", "No expiry (blocks need approval)"),
]


class RequestActionForm(forms.Form):
    kind = forms.ChoiceField(label="Action", choices=ActionKey.choices)
    target = forms.CharField(
        label="Target", max_length=255, help_text="IP or CIDR, account name, or the manual step's title."
    )
    reason = forms.CharField(label="Reason", required=False, widget=forms.Textarea(attrs={"rows": 2}))
    expires_in = forms.ChoiceField(label="Duration", choices=DURATION_CHOICES, required=False)
    override_reason = forms.CharField(
        label="Override reason (SOC manager, to override a guardrail)",
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    playbook_item = forms.IntegerField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args, case, **kwargs):
        super().__init__(*args, **kwargs)
        self.case = case

    def clean_playbook_item(self):
        item_id = self.cleaned_data.get("playbook_item")
        return for_form(resolve_playbook_item, self.case, item_id) if item_id is not None else None

    def clean_expires_in(self):
        value = self.cleaned_data.get("expires_in")
        return int(value) if value not in (None, "") else None


class RejectForm(forms.Form):
    reason = forms.CharField(label="Reason for rejecting", required=False, max_length=2000)


class ManualStepForm(forms.Form):
    # A username, as the API takes it (empty: nobody); the panel offers assignable_owners().
    owner = forms.CharField(label="Owner", required=False, max_length=150)
    due_at = forms.DateTimeField(
        label="Due",
        required=False,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M", "%Y-%m-%d"],
    )
    note = forms.CharField(label="Note", required=False, widget=forms.Textarea(attrs={"rows": 2}))
    done = forms.BooleanField(label="Done", required=False)

    def clean_owner(self):
        given = self.cleaned_data["owner"].strip()
        return for_form(resolve_team_member, given) if given else None
