"""SLA policies and stage clocks.

An app of its own because it owns data (the per-severity targets managers edit), a beat
task that watches every open case, and a view of a case that the case pages include
without the cases app knowing how targets are computed. It reads the case milestones
(opened_at, acknowledged_at, escalated_at, t2_picked_up_at, containment_started_at,
resolved_at/closed_at) and writes only the case's SLA columns and timeline events.
"""
