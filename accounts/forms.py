from django import forms
from django.contrib.auth.forms import AuthenticationForm


class PasswordSignInForm(AuthenticationForm):
    """Django's form; the lockout message comes from the lockout page (429), not from here."""


class CodeForm(forms.Form):
    code = forms.CharField(
        label="Code",
        max_length=32,
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "inputmode": "text", "autofocus": True}
        ),
        help_text="The 6-digit code from your authenticator app, or one of your recovery codes.",
    )
