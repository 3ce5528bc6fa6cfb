"""Vigil's project package: settings, URLs, the Celery app, roles and health."""

from .celery import app as celery_app

__all__ = ["celery_app"]
