"""Containment: actions (block an IP, disable an account, manual steps) requested on a
case, guarded, approved, and executed by Celery tasks through connectors.

A separate app because it owns its own models (actions, the blocklist feed) and a clear
boundary: it writes case timeline events through cases.services but never changes a
case's workflow state itself, and connectors talk to systems outside Vigil.
"""
