from django.contrib.auth.decorators import permission_required
from django.shortcuts import render

from .models import Case


@permission_required("cases.view_case", raise_exception=True)
def dashboard(request):
    return render(request, "cases/dashboard.html", {})


@permission_required("cases.view_case", raise_exception=True)
def case_list(request):
    cases = Case.objects.visible_to(request.user).for_list()[:100]
    return render(request, "cases/case_list.html", {"cases": cases})


def profile(request):
    return render(request, "cases/profile.html", {})
