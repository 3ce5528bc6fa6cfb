"""DRF permissions. Ingest tokens authenticate as their IngestSource, never as a user,
so every user-facing endpoint refuses them with 403 by default."""

from rest_framework.permissions import SAFE_METHODS, BasePermission


def is_ingest_request(request) -> bool:
    """Whether an ingest token authenticated the request: cases' authentication puts the
    token's IngestSource in `request.auth`, and IngestSource says so (`is_ingest_source`),
    so soc needs no import of cases."""
    return getattr(request.auth, "is_ingest_source", False) is True


def is_read_only_token(request) -> bool:
    return bool(getattr(request.auth, "read_only", False))


class IsUserNotIngestToken(BasePermission):
    """The default: an authenticated human (session or personal token); a read-only
    personal token only reads."""

    message = "This endpoint is for analysts; ingest tokens may only post alerts."

    def has_permission(self, request, view):
        if is_ingest_request(request):
            return False
        if request.method not in SAFE_METHODS and is_read_only_token(request):
            self.message = "This token is read-only."
            return False
        return bool(request.user and request.user.is_authenticated)


class IsIngestSource(BasePermission):
    """Ingest endpoints: only an active ingest token."""

    message = "An ingest token is required."

    def has_permission(self, request, view):
        return is_ingest_request(request)


def require_perm(codename: str) -> type[BasePermission]:
    """A permission class requiring a Django permission of a human user."""

    class HasPerm(IsUserNotIngestToken):
        message = "Your role does not allow this."

        def has_permission(self, request, view):
            return super().has_permission(request, view) and request.user.has_perm(codename)

    HasPerm.__name__ = f"Has_{codename.replace('.', '_')}"
    return HasPerm
