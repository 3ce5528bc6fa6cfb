"""gunicorn settings for Vigil's web process (Dockerfile, docker-compose.yml):

    gunicorn -c soc/gunicorn.conf.py soc.wsgi:application

Command-line options still override these (`--bind`, `--workers`). The access log goes
to stdout through soc.gunicorn_logging.RedactingLogger, which masks query-string
credentials such as the Splunk ingest token (`?token=vgi_...`) before any line is written.
"""

import os

bind = os.environ.get("GUNICORN_BIND", f"0.0.0.0:{os.environ.get('VIGIL_PORT', '8000')}")
workers = int(os.environ.get("WEB_CONCURRENCY", "3"))
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "60"))
accesslog = "-"
errorlog = "-"
logger_class = "soc.gunicorn_logging.RedactingLogger"
