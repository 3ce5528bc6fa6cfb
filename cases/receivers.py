"""What cases does when the layers below it say something happened (their signals)."""

from soc.tasks import send_task_safely


def playbook_published(sender, version, **kwargs) -> None:
    """A playbook was published (after commit): attach it to the open cases it covers
    that have none. In a worker; inline when the broker cannot take the task, so a broker
    outage never leaves those cases without their playbook."""
    from cases.services.playbook_attach import attach_late_playbooks
    from cases.tasks import attach_late_playbooks as task

    if not send_task_safely(task, version.pk):
        attach_late_playbooks(version=version)
