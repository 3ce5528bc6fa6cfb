"""Observables by hand on the case page: add one, flag one (htmx swaps the card; without
htmx, a redirect, or the page again with the typed input and its errors)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import permission_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods, require_POST

from cases import case_page, selectors
from cases.forms import ObservableAddForm, ObservableFlagForm
from cases.models import Observable
from cases.services.observables import case_observable_add, observable_flag
from soc.errors import DomainError, NotAllowed

from .detail import TEMPLATE, case_page_context
from .transitions import _attach_errors


def observables_context(request, case, *, add_form=None) -> dict:
    return {
        "case": case,
        "observables": case_page.case_observables_shown(case, selectors.case_observables(case)),
        "observable_form": add_form or ObservableAddForm(prefix="observable"),
        "can_edit_observables": case_page.can_edit_observables(case, request.user),
    }


def _respond(request, case, *, add_form=None, error: str = "", status=200):
    if request.htmx:  # 200 even when refused: htmx swaps only 2xx answers
        context = observables_context(request, case, add_form=add_form)
        context["observable_error"] = error
        return render(request, TEMPLATE + "#observables", context)
    if status != 200:
        context = case_page_context(request, case)
        context.update(observables_context(request, case, add_form=add_form))
        context["observable_error"] = error
        return render(request, TEMPLATE, context, status=status)
    return redirect(reverse("cases:detail", args=[case.pk]) + "#observables")


@require_POST
@permission_required("cases.work_l1", raise_exception=True)
def observable_add(request, pk: int):
    case = selectors.get_case_for_user(request.user, pk)
    form = ObservableAddForm(request.POST, prefix="observable")
    if form.is_valid():
        try:
            case_observable_add(
                case=case, type=form.cleaned_data["type"], value=form.cleaned_data["value"], by=request.user
            )
        except NotAllowed as exc:
            raise PermissionDenied(exc.message) from exc
        except DomainError as exc:
            _attach_errors(form, exc)
        else:
            messages.success(request, f"Observable {form.cleaned_data['value']} added.")
            return _respond(request, case)
    return _respond(request, case, add_form=form, status=400)


@require_http_methods(["GET", "POST"])
@permission_required("cases.work_l1", raise_exception=True)
def observable_update(request, pk: int, observable_pk: int):
    """GET: the flag form (fetched when its row's "Edit" opens; a page without htmx).
    POST: save the flags."""
    case = selectors.get_case_for_user(request.user, pk)
    observable = get_object_or_404(Observable, pk=observable_pk, case_links__case=case)
    if request.method == "GET":
        context = {"case": case, "obs": observable, "tlp_choices": Observable.Tlp.choices}
        template = "cases/_observable_flag_form.html" if request.htmx else "cases/observable_flags.html"
        return render(request, template, context)
    form = ObservableFlagForm(request.POST, prefix=f"flag{observable.pk}")
    error = "The observable was not changed: check its fields."
    if form.is_valid():
        try:
            observable_flag(case=case, observable=observable, by=request.user, **form.cleaned_data)
        except NotAllowed as exc:
            raise PermissionDenied(exc.message) from exc
        except DomainError as exc:
            error = exc.message
        else:
            error = ""
    return _respond(request, case, error=error, status=400 if error else 200)
