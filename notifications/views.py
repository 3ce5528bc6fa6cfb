"""The bell's page (the user's notifications, mark read) and the preferences page. Any
logged-in user, for their own notifications only."""

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpResponseBadRequest
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from .forms import PreferencesForm, TimeZoneForm
from .models import Notification
from .services import mark_read, preferences_of, preferences_set, unread_count
from .timezones import user_time_zone, user_time_zone_set

PAGE_SIZE = 30
MAX_ID = 2**63 - 1  # a bigint primary key; larger ids cannot exist (and SQLite refuses them)


@require_GET
def notification_list(request):
    notifications = Notification.objects.filter(user=request.user, in_app=True).select_related("case")
    page = Paginator(notifications, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "notifications/list.html", {"page": page, "unread": unread_count(request.user)})


@require_POST
def notification_read(request):
    """Mark one (``id``) or all (no ``id``) of the user's notifications read; another
    user's id matches nothing. An id that is not a notification id is a 400 and marks
    nothing (it never falls back to "all")."""
    posted = request.POST.getlist("id")
    ids = [int(i) for i in posted if i.isdigit() and int(i) <= MAX_ID]
    if len(ids) != len(posted):
        return HttpResponseBadRequest("Not a notification id.", content_type="text/plain")
    ids = ids or None
    count = mark_read(user=request.user, ids=ids)
    if request.htmx:
        return render(request, "notifications/_bell.html", {"unread": unread_count(request.user)})
    messages.success(request, f"{count} notification{'s' if count != 1 else ''} marked read.")
    return redirect("notifications:list")


@require_http_methods(["GET", "POST"])
def preferences(request):
    """The user's channels per kind of notification, and their time zone."""
    posted = request.POST if request.method == "POST" else None
    form = PreferencesForm(posted, initial_choices=preferences_of(request.user))
    tz_form = TimeZoneForm(posted, prefix="tz", initial={"time_zone": user_time_zone(request.user)})
    if posted is not None and form.is_valid() and tz_form.is_valid():
        preferences_set(user=request.user, choices=form.cleaned_data)
        user_time_zone_set(user=request.user, name=tz_form.cleaned_data["time_zone"])
        messages.success(request, "Preferences saved.")
        return redirect("notifications:preferences")
    status = 400 if form.errors or tz_form.errors else 200
    return render(
        request, "notifications/preferences.html", {"form": form, "tz_form": tz_form}, status=status
    )
