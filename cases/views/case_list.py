from django.contrib.auth.decorators import permission_required
from django.core.paginator import Paginator
from django.shortcuts import render
from django.views.decorators.http import require_GET

from cases.filters import CaseFilter
from cases.models import Case

PAGE_SIZE = 50


@require_GET
@permission_required("cases.view_case", raise_exception=True)
def case_list(request):
    """Filter, sort and page the cases; htmx requests get the results fragment only."""
    queryset = Case.objects.visible_to(request.user).for_list().order_by("-opened_at", "-pk")
    case_filter = CaseFilter(request.GET or None, queryset=queryset, request=request)
    results = case_filter.qs if case_filter.is_bound else queryset
    page = Paginator(results, PAGE_SIZE).get_page(request.GET.get("page"))
    params = request.GET.copy()
    params.pop("page", None)
    template = "cases/case_list.html#results" if request.htmx else "cases/case_list.html"
    return render(
        request,
        template,
        {"filter": case_filter, "page": page, "query": params.urlencode(), "params": params},
    )
