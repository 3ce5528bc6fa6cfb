"""The case list: filters, sorting, paging, saved filters, row selection with bulk
actions, and the header's search box."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import permission_required
from django.core.paginator import Paginator
from django.db import IntegrityError, transaction
from django.http import QueryDict
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_POST

from cases.filters import CaseFilter, text_search
from cases.forms import BulkActionForm, SavedFilterForm
from cases.models import Case, SavedFilter
from cases.services import bulk
from soc.errors import DomainError

from ._common import error_text

PAGE_SIZE = 50
SEARCH_LIMIT = 50


def _bulk_form(request, data=None) -> BulkActionForm:
    return BulkActionForm(
        data,
        prefix="bulk",
        cases=Case.objects.visible_to(request.user),
        users=bulk.eligible_assignees(request.user),
    )


def _list_context(request, *, bulk_form=None, filter_form=None) -> dict:
    queryset = Case.objects.visible_to(request.user).for_list().order_by("-opened_at", "-pk")
    case_filter = CaseFilter(request.GET or None, queryset=queryset, request=request)
    results = case_filter.qs if case_filter.is_bound else queryset
    page = Paginator(results, PAGE_SIZE).get_page(request.GET.get("page"))
    params = request.GET.copy()
    params.pop("page", None)
    return {
        "filter": case_filter,
        "page": page,
        "query": params.urlencode(),
        "params": params,
        "saved_filters": SavedFilter.objects.filter(user=request.user),
        "saved_filter_form": filter_form or SavedFilterForm(),
        "bulk_form": bulk_form or _bulk_form(request),
        # After a refused bulk action the rows stay selected, as the user left them.
        "selected": {int(pk) for pk in bulk_form.data.getlist("bulk-cases") if pk.isdigit()}
        if bulk_form is not None
        else set(),
    }


@require_GET
@permission_required("cases.view_case", raise_exception=True)
def case_list(request):
    """Filter, sort and page the cases; htmx requests get the results fragment only."""
    template = "cases/case_list.html#results" if request.htmx else "cases/case_list.html"
    return render(request, template, _list_context(request))


BULK_RUNS = {
    "claim": lambda cases, d, by: bulk.cases_claim(cases=cases, by=by),
    "assign": lambda cases, d, by: bulk.cases_assign(cases=cases, to=d["assignee"], by=by),
    "close": lambda cases, d, by: bulk.cases_close(
        cases=cases, resolution=d["resolution"], reason=d["reason"], by=by
    ),
    "merge": lambda cases, d, by: bulk.cases_merge(cases=cases, target=d["target"], by=by),
}


@require_POST
@permission_required("cases.view_case", raise_exception=True)
def case_bulk(request):
    """Run one action on the selected cases; each case's outcome is reported. Cases the
    user may not see are not found (the form's choices start from visible_to)."""
    form = _bulk_form(request, request.POST)
    back = reverse("cases:list") + ("?" + request.POST["query"] if request.POST.get("query") else "")
    if form.is_valid():
        data = form.cleaned_data
        cases = sorted(data["cases"], key=lambda c: c.pk)
        try:
            outcomes = BULK_RUNS[data["action"]](cases, data, request.user)
        except DomainError as exc:
            # Refused as a whole (no case was touched): shown beside its field, as typed.
            for field, problems in (exc.data.get("errors") or {"__all__": [error_text(exc)]}).items():
                form.add_error(field if field in form.fields else None, problems)
    if form.errors:
        messages.error(request, "Nothing was done: the action's form below says why.")
        request.GET = QueryDict(request.POST.get("query", ""))
        return render(request, "cases/case_list.html", _list_context(request, bulk_form=form), status=400)
    done = [o.case.reference for o in outcomes if o.ok]
    if done:
        messages.success(
            request, f"{dict(BulkActionForm.ACTIONS)[data['action']].rstrip('…')}: {', '.join(done)}."
        )
    for outcome in outcomes:
        if not outcome.ok:
            messages.error(request, f"{outcome.case.reference}: {outcome.message}")
    return redirect(back)


@require_POST
@permission_required("cases.view_case", raise_exception=True)
def saved_filter_create(request):
    form = SavedFilterForm(request.POST)
    query = QueryDict(request.POST.get("query", ""), mutable=True)
    query.pop("page", None)
    if form.is_valid():
        try:
            with transaction.atomic():  # a duplicate name must not break the request's transaction
                SavedFilter.objects.create(
                    user=request.user, name=form.cleaned_data["name"], query=query.urlencode()
                )
        except IntegrityError:
            form.add_error("name", "You already have a saved filter with this name.")
        else:
            messages.success(request, f"Filter “{form.cleaned_data['name']}” saved.")
            return redirect(reverse("cases:list") + "?" + query.urlencode())
    request.GET = query
    return render(request, "cases/case_list.html", _list_context(request, filter_form=form), status=400)


@require_POST
@permission_required("cases.view_case", raise_exception=True)
def saved_filter_delete(request, filter_pk: int):
    # Only the user's own filters are found at all: someone else's is a 404.
    saved = get_object_or_404(SavedFilter, pk=filter_pk, user=request.user)
    saved.delete()
    messages.success(request, f"Filter “{saved.name}” deleted.")
    return redirect("cases:list")


@require_GET
@permission_required("cases.view_case", raise_exception=True)
def search(request):
    """The header's search box: a reference opens its case; anything else lists the cases
    whose reference, title, observable value or alert source reference matches."""
    text = (request.GET.get("q") or "").strip()[:200]
    results = []
    if text:
        visible = Case.objects.visible_to(request.user)
        exact = visible.filter(reference__iexact=text).first()
        if exact is not None:
            return redirect("cases:detail", pk=exact.pk)
        results = list(
            visible.filter(text_search(text)).for_list().order_by("-opened_at", "-pk")[:SEARCH_LIMIT]
        )
    return render(request, "cases/search.html", {"q": text, "results": results, "limit": SEARCH_LIMIT})
