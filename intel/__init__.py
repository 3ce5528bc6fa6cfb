"""Reference data: known networks, business partners, lookups, validators, canonical forms.

Below cases in the layers (CONTRIBUTING.md): cases, enrichment and containment read it, and
it imports none of them. A change asks for the open cases' refresh through `intel.hooks`.
"""
