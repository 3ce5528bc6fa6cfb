"""GET /feeds/ip-blocklist.txt: Vigil's blocklist as an External Dynamic List.

Format: one IP or CIDR per line, each network once, in a stable order (IPv4 before IPv6,
then by address and prefix), expired and reverted entries gone. PAN-OS reads an optional
comment after a space; `?format=fortigate` serves the bare list FortiGate threat feeds
expect. Firewalls authenticate with HTTP basic auth (CONTAINMENT_FEED_USERNAME /
CONTAINMENT_FEED_PASSWORD); pollers may send If-None-Match / If-Modified-Since and get
304 while nothing changed. HEAD answers GET's status and headers (ETag, Last-Modified,
Content-Length) without the body, for pollers that probe before they fetch.
"""

import base64
import binascii
import hashlib
import hmac

from django.conf import settings
from django.db.models import Max, Min
from django.http import HttpResponse
from django.utils import timezone
from django.utils.cache import get_conditional_response
from django.utils.http import http_date
from django.views.decorators.http import require_safe

from .models import BlocklistEntry
from .targets import network_sort_key

REALM = "Vigil blocklist"


def _authorised(request) -> bool:
    password = settings.CONTAINMENT_FEED_PASSWORD
    if not password:  # feed disabled until a credential is configured
        return False
    header = request.META.get("HTTP_AUTHORIZATION", "")
    scheme, _, encoded = header.partition(" ")
    if scheme.lower() != "basic" or not encoded:
        return False
    try:
        user, _, given = base64.b64decode(encoded.strip(), validate=True).decode("utf-8").partition(":")
    except (binascii.Error, UnicodeDecodeError):
        return False
    user_ok = hmac.compare_digest(user.encode(), settings.CONTAINMENT_FEED_USERNAME.encode())
    password_ok = hmac.compare_digest(given.encode(), password.encode())
    return user_ok and password_ok


def feed_lines(*, at=None, comments: bool = True) -> list[str]:
    """The feed's lines now: each active network once, the first listing's comment."""
    at = at or timezone.now()
    first: dict[str, str] = {}
    for network, comment in (
        BlocklistEntry.objects.active(at).order_by("added_at", "id").values_list("network", "comment")
    ):
        first.setdefault(network, comment)
    ordered = sorted(first, key=network_sort_key)
    if not comments:
        return ordered
    return [f"{network} {first[network]}".rstrip() for network in ordered]


def feed_last_modified(at):
    """When the feed last changed: the latest addition, removal or expiry that took effect."""
    stamps = BlocklistEntry.objects.aggregate(added=Max("added_at"), removed=Max("removed_at"))
    expired = BlocklistEntry.objects.filter(expires_at__lte=at).aggregate(latest=Max("expires_at"))["latest"]
    values = [v for v in (stamps["added"], stamps["removed"], expired) if v is not None]
    return max(values) if values else BlocklistEntry.objects.aggregate(first=Min("added_at"))["first"]


@require_safe
def ip_blocklist(request):
    if not _authorised(request):
        response = HttpResponse("Authentication required.\n", status=401, content_type="text/plain")
        response["WWW-Authenticate"] = f'Basic realm="{REALM}", charset="UTF-8"'
        return response
    now = timezone.now()
    fortigate = request.GET.get("format", "").lower() == "fortigate"
    lines = feed_lines(at=now, comments=not fortigate)
    body = "".join(f"{line}\n" for line in lines)
    etag = '"' + hashlib.sha256(body.encode()).hexdigest()[:32] + '"'
    last_modified = feed_last_modified(now)
    last_modified_ts = int(last_modified.timestamp()) if last_modified else None
    # Last-Modified has whole-second precision: while the newest change is that recent, a
    # second change in the same second would look "not modified" to If-Modified-Since, so
    # only the ETag may answer 304 then.
    settled = last_modified_ts is not None and now.timestamp() - last_modified.timestamp() >= 2
    conditional = get_conditional_response(
        request, etag=etag, last_modified=last_modified_ts if settled else None
    )
    if conditional is None:
        conditional = HttpResponse(body, content_type="text/plain; charset=utf-8")
    conditional["ETag"] = etag
    if last_modified_ts is not None:
        conditional["Last-Modified"] = http_date(last_modified_ts)
    conditional["Cache-Control"] = "no-cache"
    if request.method == "HEAD":
        # The length GET would send, and no body (not every server strips it).
        conditional["Content-Length"] = str(len(conditional.content))
        conditional.content = b""
    return conditional
