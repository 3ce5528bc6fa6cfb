"""Task hooks: how a lower app starts work an upper app implements, without importing it.

The lower app declares the hook (what it needs done) and sends through it; the upper app
provides its Celery task in its AppConfig.ready(). So the import arrow points down
(CONTRIBUTING.md, layers) while the call goes up, and the sender keeps its own broker
outage handling (soc.tasks.send_task_safely, the sweepers).
"""

from django.core.exceptions import ImproperlyConfigured


class TaskHook:
    """One task, provided by exactly one app above the one that declares the hook."""

    def __init__(self, purpose: str):
        self.purpose = purpose
        self._task = None

    def provide(self, task) -> None:
        """Called once, from the providing app's AppConfig.ready()."""
        if self._task is not None and self._task is not task:
            raise ImproperlyConfigured(
                f"Two apps provide the task to {self.purpose}: {self._task.name}, {task.name}"
            )
        self._task = task

    @property
    def provided(self) -> bool:
        return self._task is not None

    @property
    def task(self):
        """The provided task (a Celery task: send it with soc.tasks.send_task_safely)."""
        if self._task is None:
            raise ImproperlyConfigured(f"No installed app provides the task to {self.purpose}.")
        return self._task
