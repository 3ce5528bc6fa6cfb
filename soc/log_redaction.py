"""Secrets never reach a log: query-string credentials are masked in log lines.

SIEMs that cannot set headers (Splunk's webhook alert action) send their ingest token in
the URL (`?token=vgi_...`), and every web server logs the request line. `redact` masks the
value of each credential-like query parameter and any Vigil token (ingest `vgi_...` or
personal `vgu_...`) wherever it appears in a line. It is applied by the gunicorn access
logger (soc/gunicorn.conf.py) and by a logging filter on every handler Django configures
(runserver's `django.server` log included, soc/settings/base.py LOGGING).
"""

import logging
import re

REDACTED = "[REDACTED]"

# Query parameters whose values are credentials, whatever the endpoint.
SECRET_PARAMETERS = ("token", "access_token", "api_key", "apikey", "key", "secret", "password", "auth")
_PARAMETER = re.compile(
    r"(?P<name>(?:^|[?&;\s\"'])(?:" + "|".join(SECRET_PARAMETERS) + r")=)(?P<value>[^&;\s\"'#]*)",
    re.IGNORECASE,
)
# Vigil's ingest and personal tokens, e.g. in a Referer or a mistyped parameter name.
_VIGIL_TOKEN = re.compile(r"vg[iu]_[A-Za-z0-9_\-%.~]+")


def redact(text: str) -> str:
    """`text` with credential-like query values and Vigil tokens replaced by [REDACTED]."""
    if not text:
        return text
    text = _PARAMETER.sub(lambda m: m.group("name") + (REDACTED if m.group("value") else ""), text)
    return _VIGIL_TOKEN.sub(REDACTED, text)


class RedactSecretsFilter(logging.Filter):
    """Logging filter: formats the record's message once, redacted, and drops its args."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        redacted = redact(message)
        if redacted != message:
            record.msg, record.args = redacted, ()
        return True
