"""Enrichment of observables and the L1 assistant, above cases (CONTRIBUTING.md, layers).

One module per assist key (`ip_reputation`, `partner_match`, `lookalike_domain`) and
`service` running them; `assistant/` turns the results into step suggestions; `tasks`
are what the worker runs. Results live in
`Observable.enrichment[key] = {"verdict", "summary", ...details}`. The app has no models:
it reads and writes cases' tables and reads intel's reference data.
"""
