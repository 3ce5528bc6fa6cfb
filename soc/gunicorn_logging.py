"""gunicorn's logger with Vigil's secret redaction (soc/log_redaction.py) on its access
and error logs, selected by `logger_class` in soc/gunicorn.conf.py."""

from gunicorn.glogging import Logger

from soc.log_redaction import RedactSecretsFilter

_REDACT = RedactSecretsFilter()


class RedactingLogger(Logger):
    """Every access line (the request line, `%(q)s`, the Referer) and every error line is
    redacted before any handler, file, stream or syslog, sees it."""

    def setup(self, cfg):
        super().setup(cfg)
        for log in (self.error_log, self.access_log):
            log.addFilter(_REDACT)  # a no-op when already there (configuration reload)
