"""Route builders the apps' URL lists share."""

from collections.abc import Callable, Mapping

from django.urls import URLPattern, path
from django.views import View


def routes_under(
    prefix: str, name_prefix: str, views: Mapping[str, Callable | type[View]]
) -> list[URLPattern]:
    """One route `<prefix><tail>/` per `tail: view` of `views`, named `<name_prefix><tail>`:
    the sub-resources and actions of one object (`cases/<int:pk>/claim/` is
    `api-case-claim`), so that a route's path and its name cannot drift apart. A view is a
    function or a class-based view (an API view), which is routed through its `as_view()`."""
    return [
        path(
            f"{prefix}{tail}/",
            view.as_view() if isinstance(view, type) else view,
            name=f"{name_prefix}{tail}",
        )
        for tail, view in views.items()
    ]
