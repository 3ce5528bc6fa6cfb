"""GET /metrics: Prometheus text format, for the networks VIGIL_METRICS_ALLOWED_NETWORKS
lists (loopback by default) or a SOC manager's personal token (`Authorization: Token vgu_...`)."""

from __future__ import annotations

import ipaddress

from django.conf import settings
from django.contrib.auth.decorators import login_not_required
from django.http import HttpResponse
from django.views.decorators.http import require_GET
from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, generate_latest
from rest_framework.exceptions import AuthenticationFailed

from cases.authentication import UserTokenAuthentication

from .prometheus import VigilCollector

_registry = CollectorRegistry(auto_describe=False)
_registry.register(VigilCollector())


def _from_allowed_network(request) -> bool:
    try:
        address = ipaddress.ip_address(request.META.get("REMOTE_ADDR", ""))
    except ValueError:
        return False
    return any(
        address in ipaddress.ip_network(net, strict=False) for net in settings.VIGIL_METRICS_ALLOWED_NETWORKS
    )


def _manager_token(request) -> bool:
    try:
        found = UserTokenAuthentication().authenticate(request)
    except AuthenticationFailed:
        return False
    if found is None:
        return False
    user = found[0]
    return bool(user and user.is_authenticated and user.has_perm("cases.assign_any"))


@login_not_required  # a scraper has no session; access is checked below
@require_GET
def prometheus_metrics(request):
    if not (_from_allowed_network(request) or _manager_token(request)):
        return HttpResponse(
            "Forbidden: not an allowed network and no manager token.\n", status=403, content_type="text/plain"
        )
    return HttpResponse(generate_latest(_registry), content_type=CONTENT_TYPE_LATEST)
