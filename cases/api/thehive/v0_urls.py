"""TheHive 3/4's API paths under /api/ (see urls.py)."""

from .urls import v0_urlpatterns as urlpatterns

__all__ = ["urlpatterns"]
