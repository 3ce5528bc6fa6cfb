"""What the apps above intel plug into it, so that intel never imports them.

A reference-data change sends `REFRESH_OPEN_CASES` (soc.hooks.TaskHook) after commit; the
enrichment app provides the task (re-enrich open cases, refresh their suggestions). The
system check below refuses to start when no app provides it.
"""

from django.core import checks

from soc.hooks import TaskHook

REFRESH_OPEN_CASES = TaskHook("refresh the open cases after a reference-data change (no arguments)")


@checks.register()
def check_hooks_provided(**kwargs) -> list[checks.Error]:
    if REFRESH_OPEN_CASES.provided:
        return []
    return [
        checks.Error(f"No installed app provides the task to {REFRESH_OPEN_CASES.purpose}.", id="intel.E001")
    ]
