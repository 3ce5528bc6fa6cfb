"""The manager's and the operator's view of Vigil: metrics (page, API, CSV), case reports
(Markdown and PDF), the ATT&CK Navigator layer, case-list exports and the Prometheus
endpoint.

An app of its own because everything here only reads the other apps (cases, playbooks,
containment, sla) and sits above them all; it owns no tables.
"""
