"""Enrichment of observables: one module per assist key, one service running them.

Results live in `Observable.enrichment[key] = {"verdict", "summary", ...details}`.
"""

from .service import SPECS, enrich_alert, enrich_value

__all__ = ["SPECS", "enrich_alert", "enrich_value"]
