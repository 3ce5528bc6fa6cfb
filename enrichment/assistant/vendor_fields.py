"""Where vendors keep the facts the assistant reads (alert_reading): field paths into an
alert's raw payload, ECS and OCSF first, then the names SIEM, EDR, DLP, CASB, proxy and
mail-gateway exports use. A path is dotted (nested keys or flat dotted keys).
"""

# Objects inside a payload that hold the vendor's own fields (read like the payload).
NESTED_DOCUMENTS = ("result", "properties", "ExtendedProperties", "data", "_source")

# Where vendors put record counts and byte sizes (ECS, Netskope, Zscaler, Palo Alto,
# Defender, Purview and Symantec DLP, CASB and proxy exports).
RECORD_FIELDS = (
    "records",
    "record_count",
    "recordCount",
    "row_count",
    "rowCount",
    "rows",
    "rows_exported",
    "records_exported",
    "num_records",
    "dlp.records",
    "dlp.match_count",
    "match_count",
    "matchCount",
    "MatchCount",
    "violation_count",
    "file.count",
    "file_count",
    "fileCount",
    "files_count",
    "item_count",
    "itemCount",
    "object_count",
    "count_records",
)
BYTE_FIELDS = (
    "network.bytes",
    "source.bytes",
    "destination.bytes",
    "client.bytes",
    "file.size",
    "file_size",
    "fileSize",
    "FileSize",
    "filesize",
    "traffic.bytes_out",
    "traffic.bytes",
    "bytes_out",
    "bytes_sent",
    "bytesSent",
    "sent_bytes",
    "upload_bytes",
    "bytes_uploaded",
    "total_bytes",
    "req_size",
    "dlp.bytes",
    "http.request.body.bytes",
    "http.response.body.bytes",
)
# Vendor strings read like a sentence: DLP policy and rule names, file and attachment names,
# the application and the activity (a CASB's "Upload" to "WeTransfer"), the action taken.
TEXT_FIELDS = (
    "policy",
    "policy_name",
    "policyName",
    "PolicyName",
    "dlp.policy.name",
    "data_security.policy.name",
    "policy.name",
    "dlp_policy",
    "dlp.rule.name",
    "rule.name",
    "file.name",
    "file_name",
    "fileName",
    "FileName",
    "filename",
    "attachment",
    "attachments",
    "email.attachments.file.name",
    "app",
    "app_name",
    "appName",
    "application",
    "cloud_app",
    "activity",
    "activity_type",
    "event.action",
    "action",
    "classification",
    "sensitivity_label",
    "label",
)
AUTH_FIELD_PREFIXES = (
    "email.authentication",
    "email.auth",
    "email_auth",
    "email.email_auth",
    "AuthenticationDetails",
    "",  # top-level spf / dkim / dmarc (Proofpoint TAP, Mimecast)
)
AUTH_HEADER_FIELDS = (
    "email.headers.authentication_results",
    "authentication_results",
    "Authentication-Results",
)
FROM_FIELDS = (
    "email.from.address",
    "email.from",
    "email.sender.address",
    "sender",
    "SenderFromAddress",
    "fromAddress",
    "headerFrom",
    "senderAddress",
    "from",
)
REPLY_FIELDS = (
    "email.reply_to.address",
    "email.reply_to",
    "ReplyToAddress",
    "replyToAddress",
    "headerReplyTo",
    "reply_to",
    "replyTo",
)
