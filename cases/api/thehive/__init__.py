"""TheHive compatibility: TheHive's alert API, so TheHive clients (thehive4py 1.x and 2.x,
Kibana's and Wazuh's TheHive connectors, Splunk's TheHive add-ons) point at Vigil unchanged.

| call | TheHive 5 (/api/v1/) | TheHive 3/4 (/api/) | Vigil does |
| --- | --- | --- | --- |
| create an alert | POST alert | POST alert | ingests it (cases.ingest.thehive); multipart files are evidence |
| get an alert | GET alert/{id} | GET alert/{id} | the alert, its observables and files |
| update an alert | PATCH alert/{id} | PATCH alert/{id} | adds observables; other fields only unchanged |
| add observables | POST alert/{id}/observable, alert/{id}/artifact | POST alert/{id}/artifact | to the alert and its case, enrichment sent; no entity type: kept as sent |
| attach files | POST alert/{id}/attachments | | evidence files |
| promote to a case | POST alert/{id}/case | POST alert/{id}/createCase | answers the alert's case (every alert has one) |
| merge into a case | POST alert/{id}/merge/{case}, alert/merge/_bulk | POST alert/{id}/merge/{case} | its own case: answered; another: 403 |
| get a case | GET case/{id} | | a case holding one of the source's alerts |
| follow | POST alert/{id}/follow | | answers the alert; unfollow is a 400 |
| find / count | POST query | POST alert/_search | listAlert, listCase, filter, sort, page, count; getAlert + observables |
| current user | GET user/current | GET user/current | the ingest source |

Deleting alerts, writing cases, moving alerts between cases, changing an alert's status,
and any other TheHive path answer TheHive's errors (`refusals`).

An observable of a dataType Vigil has no entity for (TheHive accepts whatever its admin
configured) is kept on the alert as sent (cases.models.KeptObservable) and answered back;
only what TheHive refuses (no dataType, no data) is refused, and a bad observable in a list
is a failure entry of TheHive's 207 beside the others, stored (`body.read_observables`).

Modules: `base` (the shared view: who may call, TheHive's errors), `views` (alerts, query,
user; thin), `case_views` (promote, merge, case), `refusals`, `body` (JSON/multipart
reading, files bounded while read), `query` and `query_v0` (TheHive's query languages,
pure), `render` (TheHive's shapes), `urls`.
"""
