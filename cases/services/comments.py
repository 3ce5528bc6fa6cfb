"""Comments on a case, and the one safe way to render their markdown.

Comment bodies are user text rendered as HTML: Markdown first, then nh3 (an allow-list
HTML sanitizer) removes scripts, event-handler attributes, styles and any link whose
scheme is not http, https or mailto. Only the sanitizer's output is ever marked safe.
"""

from __future__ import annotations

import markdown
import nh3
from django.db import transaction
from django.utils.safestring import SafeString, mark_safe

from cases.models import Case, Comment
from cases.services import events
from soc.errors import DomainError, NotAllowed

MAX_COMMENT = 20_000

ALLOWED_TAGS = {
    "a", "p", "br", "hr", "strong", "em", "b", "i", "code", "pre", "blockquote",
    "ul", "ol", "li", "h3", "h4", "h5", "h6", "table", "thead", "tbody", "tr", "th", "td",
}  # fmt: skip
ALLOWED_ATTRIBUTES = {"a": {"href", "title"}, "th": {"align"}, "td": {"align"}}
URL_SCHEMES = {"http", "https", "mailto"}


def render_markdown(text: str) -> SafeString:
    """Markdown -> sanitized HTML, safe to insert in a page."""
    html = markdown.markdown(text or "", extensions=["fenced_code", "tables", "sane_lists"])
    cleaned = nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        clean_content_tags={"script", "style"},
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes=URL_SCHEMES,
        link_rel="noopener noreferrer nofollow",
    )
    return mark_safe(cleaned)  # noqa: S308 - nh3's allow-list output, nothing else


@transaction.atomic
def comment_add(*, case: Case, body: str, by) -> Comment:
    """Add a comment and its timeline event. Anyone who may comment and see the case may."""
    if not (
        by and by.is_authenticated and by.has_perm("cases.view_case") and by.has_perm("cases.add_comment")
    ):
        raise NotAllowed("Your role cannot comment on cases.")
    body = (body or "").strip()
    if not body:
        raise DomainError("The comment is empty.", errors={"body": ["This field is required."]})
    if len(body) > MAX_COMMENT:
        raise DomainError("The comment is too long.", errors={"body": [f"At most {MAX_COMMENT} characters."]})
    comment = Comment.objects.create(case=case, author=by, body=body)
    events.record(events.commented(case, by=by, comment=comment))
    Case.objects.filter(pk=case.pk).update(updated_at=comment.created_at)
    return comment
