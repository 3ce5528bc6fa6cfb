"""What the case views share: mapping domain errors to responses."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied

from soc.errors import DomainError, NotAllowed


def error_text(exc: DomainError) -> str:
    """The error's message followed by its field errors, for a flash message."""
    parts = [exc.message]
    for field, problems in (exc.data.get("errors") or {}).items():
        for problem in problems if isinstance(problems, list | tuple) else [problems]:
            text = f"{field.replace('_', ' ').capitalize()}: {problem}"
            if text not in exc.message:
                parts.append(text)
    return " ".join(parts)


def flash_domain_error(request, exc: DomainError) -> None:
    """A refused role is a 403 whatever the request; other refusals become a message."""
    if isinstance(exc, NotAllowed):
        raise PermissionDenied(exc.message) from exc
    messages.error(request, error_text(exc))


def form_error_text(form) -> str:
    return " ".join(
        f"{(form.fields[name].label if name in form.fields else name) or name}: {error}"
        if name != "__all__"
        else str(error)
        for name, errors in form.errors.items()
        for error in errors
    )
