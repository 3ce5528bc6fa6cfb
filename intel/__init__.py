"""Threat intelligence and business context: reference data and enrichment.

A separate app because it owns its own models (known networks, business partners) and a
clear boundary: it reads cases' observables and writes enrichment verdicts and playbook
suggestions, but never changes a case's workflow state.
"""
