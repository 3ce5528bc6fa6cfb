"""Signals of the playbook library, for the layers above it (which playbooks may not import).

`version_published` is sent after the transaction that published a version commits, or
that widened a published playbook's coverage, with `version` (the published
PlaybookVersion). cases attaches the playbook to open cases it now covers that had none
(cases.receivers).
"""

from django.dispatch import Signal

version_published = Signal()
