"""Enrichment of observables: one module per assist key, `service` running them.

Results live in `Observable.enrichment[key] = {"verdict", "summary", ...details}`.
The package imports nothing eagerly, so intel.models can use `domains` while apps load.
"""
