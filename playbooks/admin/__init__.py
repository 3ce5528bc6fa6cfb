"""The playbook editor (Django admin), for playbooks.edit_playbooks holders only.

One page per version with its items inline, one inline per section in work order.
Drafts are editable; a published or retired version is shown read-only, and a POST to
it is refused with a message pointing to "New draft from this version". Versions are
never added by hand: they come from an import (upload) or from "new draft".
"""

from .playbooks import PlaybookAdmin
from .versions import PlaybookVersionAdmin

__all__ = ["PlaybookAdmin", "PlaybookVersionAdmin"]
