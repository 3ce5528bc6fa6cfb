"""TheHive compatibility: TheHive's alert API, so TheHive clients (thehive4py 1.x and 2.x,
Kibana's and Wazuh's TheHive connectors, Splunk's TheHive add-ons) point at Vigil unchanged.

| call | TheHive 5 (/api/v1/) | TheHive 3/4 (/api/) | Vigil does |
| --- | --- | --- | --- |
| create an alert | POST alert | POST alert | ingests it (cases.ingest.thehive); multipart files are evidence |
| get an alert | GET alert/{id} | GET alert/{id} | the alert, its observables and files |
| update an alert | PATCH alert/{id} | PATCH alert/{id} | adds observables; other fields only unchanged |
| add observables | POST alert/{id}/observable, alert/{id}/artifact | POST alert/{id}/artifact | to the alert and its case, enrichment sent |
| attach files | POST alert/{id}/attachments | | evidence files |
| promote to a case | POST alert/{id}/case | POST alert/{id}/createCase | answers the alert's case (every alert has one) |
| find / count | POST query | | listAlert, filter, sort, page, count; getAlert + observables |
| current user | GET user/current | GET user/current | the ingest source |

Modules: `views` (thin), `body` (JSON/multipart reading, files bounded while read),
`query` (TheHive's query language, pure), `render` (TheHive's shapes), `urls`.
"""
