"""Vigil settings (`DJANGO_SETTINGS_MODULE=soc.settings`): every value from the environment
with a safe local default, one module per concern, gathered here (each setting is
defined in exactly one of them).

The embedded defaults (SQLite under var/, kombu's filesystem broker under var/) let a
fresh clone run without any service; production sets DATABASE_URL, CELERY_BROKER_URL,
SECRET_KEY and DEBUG=0. Every variable read in this package is listed in README.md.

A module that needs a value of another imports it by name (`from .workers import
CELERY_TASK_TIME_LIMIT`); a new setting goes in the module of its concern.
"""

from .api import *
from .base import *
from .containment import *
from .domain import *
from .security import *
from .sign_in import *
from .workers import *
