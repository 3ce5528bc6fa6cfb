"""Reading what TheHive clients send: a JSON body, or multipart with the JSON in a `_json`
part and files beside it (thehive4py 2.x `alert.create(..., attachment_map=...)`,
`alert.create_observable(..., observable_path=...)`, `alert.add_attachment`), and
TheHive 3/4 file artifacts inline as "name;content-type;base64" (thehive4py 1.x).

Files are bounded while they are read (VIGIL_ATTACHMENT_MAX_BYTES each,
VIGIL_ATTACHMENTS_PER_REQUEST per request): past either, reading stops and the request
is answered 413 before anything is stored.
"""

import base64
import binascii
import json

from django.conf import settings
from django.core.files.uploadhandler import StopUpload, TemporaryFileUploadHandler
from rest_framework import exceptions

from cases.api.ingest_body import IngestJSONParser, TooDeep, scrub
from cases.ingest.observables import normalise
from cases.ingest.thehive import observable as observable_kind
from cases.models import Observable
from cases.services.alert_additions import EvidenceFile
from soc.parsers import MAX_DEPTH, SURROGATE_MESSAGE, lone_surrogate_path


class TheHiveError(exceptions.APIException):
    """An error in TheHive's own shape: {"type": ..., "message": ...}."""

    def __init__(self, status: int, type_: str, message: str, errors: dict | None = None):
        self.status_code = status
        self.type = type_
        self.errors = errors
        super().__init__(message)


def bad_request(message: str, errors: dict | None = None) -> TheHiveError:
    return TheHiveError(400, "BadRequest", message, errors)


class TheHiveJSONParser(IngestJSONParser):
    """The ingest parser (size limit, depth, NUL kept as U+FFFD), except that a lone
    surrogate is refused at once: a TheHive call carries one alert, observable or query,
    so there is no batch in which only one entry should fail."""

    def surrogates_found(self, data, parser_context) -> None:
        refuse_surrogates(data)


def refuse_surrogates(document) -> None:
    """400 naming the field of `document` that holds a lone UTF-16 surrogate, if any."""
    path = lone_surrogate_path(document)
    if path is not None:
        raise bad_request(f"{path}: {SURROGATE_MESSAGE}", {path: [SURROGATE_MESSAGE]})


class BoundedUploadHandler(TemporaryFileUploadHandler):
    """Temporary files, refused past the per-file size or the per-request count."""

    def new_file(self, field_name, file_name, *args, **kwargs):
        self.files_seen = getattr(self, "files_seen", 0) + 1
        if self.files_seen > settings.VIGIL_ATTACHMENTS_PER_REQUEST:
            self._refuse(f"At most {settings.VIGIL_ATTACHMENTS_PER_REQUEST} files per request.")
        super().new_file(field_name, file_name, *args, **kwargs)

    def receive_data_chunk(self, raw_data, start):
        if start + len(raw_data) > settings.VIGIL_ATTACHMENT_MAX_BYTES:
            self._refuse(
                f"A file is larger than VIGIL_ATTACHMENT_MAX_BYTES ({settings.VIGIL_ATTACHMENT_MAX_BYTES})."
            )
        return super().receive_data_chunk(raw_data, start)

    def _refuse(self, message: str):
        self.request.vigil_upload_refused = message
        raise StopUpload(connection_reset=False)


def bound_uploads(request) -> None:
    """Install the bounded handler; call before the body is read."""
    request._request.upload_handlers = [BoundedUploadHandler(request._request)]


def read_body(request) -> tuple[object, dict]:
    """(the JSON document, {multipart field name: UploadedFile})."""
    content_type = (request.content_type or "").lower()
    if content_type.startswith("multipart/form-data"):
        data = request.data
        refused = getattr(request._request, "vigil_upload_refused", None)
        if refused:
            raise TheHiveError(413, "RequestTooLarge", refused)
        # A form field, or a file part (thehive4py 2.x sends `_json` among the files).
        raw = data.get("_json")
        if raw is None:
            raise bad_request("A multipart body needs its JSON in a `_json` part.")
        if hasattr(raw, "read"):
            raw = raw.read()
        try:
            document = scrub(json.loads(raw), MAX_DEPTH)
        except (ValueError, TypeError):
            raise bad_request("The `_json` part is not valid JSON.") from None
        except TooDeep:
            raise bad_request(f"The `_json` part is nested deeper than {MAX_DEPTH} levels.") from None
        refuse_surrogates(document)
        return document, {name: request.FILES[name] for name in request.FILES if name != "_json"}
    if content_type.startswith("application/json"):
        return request.data, {}
    raise exceptions.UnsupportedMediaType(request.content_type or "(none)")


def uploaded(upload) -> EvidenceFile:
    upload.seek(0)
    return EvidenceFile(
        name=upload.name or "attachment", content_type=upload.content_type or "", content=upload.read()
    )


def inline_file(name: str, data) -> EvidenceFile:
    """TheHive 3/4's file artifact: data = "filename;content-type;base64"."""
    parts = data.split(";", 2) if isinstance(data, str) else []
    if len(parts) != 3:
        raise bad_request(f'{name}: a file artifact\'s data is "filename;content-type;base64".')
    filename, content_type, encoded = parts
    try:
        content = base64.b64decode(encoded, validate=True)
    except (binascii.Error, ValueError):
        raise bad_request(f"{name}: the file content is not valid base64.") from None
    if len(content) > settings.VIGIL_ATTACHMENT_MAX_BYTES:
        raise TheHiveError(413, "RequestTooLarge", f"{name}: larger than VIGIL_ATTACHMENT_MAX_BYTES.")
    return EvidenceFile(name=filename, content_type=content_type, content=content)


def split_files(document: dict, files: dict, key: str) -> tuple[dict, list[EvidenceFile]]:
    """The alert without its file observables (`key`: "observables" or "artifacts"), and
    the evidence: files named by `attachment`, inline v0 files, then any other part."""
    declared = document.get(key)
    if not isinstance(declared, list):
        return document, [uploaded(f) for f in files.values()]
    kept, evidence, used = [], [], set()
    for i, item in enumerate(declared):
        if not (isinstance(item, dict) and item.get("dataType") == "file"):
            kept.append(item)
            continue
        ref = item.get("attachment")
        if isinstance(ref, str) and ref in files:
            evidence.append(uploaded(files[ref]))
            used.add(ref)
        elif item.get("data") is not None:
            evidence.append(inline_file(f"{key}[{i}]", item.get("data")))
        else:
            raise bad_request(f"{key}[{i}]: a file observable names a multipart part in `attachment`.")
    evidence += [uploaded(f) for name, f in files.items() if name not in used]
    return {**document, key: kept}, evidence


def read_observables(items, uploads: dict) -> tuple[list[tuple[str, str, str]], list[EvidenceFile]]:
    """TheHive observables to add to an alert: (type, value, role) tuples (normalised) and
    files (inline v0 data, or the multipart parts for a file observable without data).
    `data` may be one value or a list (TheHive 5 makes one observable each). A dataType
    Vigil keeps no entity for, or an invalid value, is a 400."""
    if isinstance(items, dict):
        items = [items]
    if not isinstance(items, list) or not items:
        raise bad_request("Expected an observable {dataType, data} (or a list of them).")
    tuples, files = [], []
    for i, item in enumerate(items):
        if not isinstance(item, dict):
            raise bad_request(f"observables[{i}]: must be an object.")
        if item.get("dataType") == "file":
            if item.get("data") is not None:
                files.append(inline_file(f"observables[{i}]", item.get("data")))
            elif uploads:
                files += [uploaded(f) for f in uploads.values()]
                uploads = {}
            else:
                raise bad_request(f"observables[{i}]: a file observable comes with its file (multipart).")
            continue
        kind = observable_kind(item)
        if kind is None:
            raise bad_request(
                f"observables[{i}]: Vigil keeps no entity of dataType {str(item.get('dataType'))[:40]!r}; "
                "it takes ip, domain, fqdn, hostname, url, mail, mail-from, hash, file, "
                "and other tagged account for a user.",
                {f"observables[{i}].dataType": ["Not a type Vigil stores."]},
            )
        type_, role = kind
        values = item.get("data")
        for value in values if isinstance(values, list) else [values]:
            normalised = normalise(type_, value)
            if normalised is None:
                raise bad_request(
                    f"observables[{i}]: {str(value)[:80]!r} is not a valid {type_}.",
                    {f"observables[{i}].data": [f"Not a valid {type_}."]},
                )
            tuples.append((type_, normalised, role))
            if type_ == Observable.Type.EMAIL:
                tuples.append((Observable.Type.DOMAIN, normalised.rpartition("@")[2], role))
    return tuples, files
