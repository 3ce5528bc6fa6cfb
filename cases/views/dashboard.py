from django.contrib.auth.decorators import permission_required
from django.shortcuts import render
from django.views.decorators.http import require_GET

from cases import selectors


@require_GET
@permission_required("cases.view_case", raise_exception=True)
def dashboard(request):
    return render(request, "cases/dashboard.html", {"queues": selectors.dashboard_queues(request.user)})


@require_GET
@permission_required("cases.view_case", raise_exception=True)
def dashboard_queues(request):
    """The queues alone, polled by the dashboard every few seconds (htmx)."""
    return render(
        request, "cases/dashboard.html#queues", {"queues": selectors.dashboard_queues(request.user)}
    )
