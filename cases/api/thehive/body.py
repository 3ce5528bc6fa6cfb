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
from dataclasses import dataclass, field

from django.conf import settings
from django.core.files.uploadhandler import StopUpload, TemporaryFileUploadHandler
from rest_framework import exceptions

from cases.api.ingest_body import IngestJSONParser, TooDeep, scrub
from cases.ingest.base import MAX_OBSERVABLES, MAX_TAG_LENGTH, MAX_TAGS
from cases.ingest.common import as_list
from cases.ingest.observable_list import ObservableList
from cases.ingest.thehive import read_declared, unreadable
from cases.models import Observable
from cases.services.alert_additions import EvidenceFile, KeptValue
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


@dataclass(slots=True)
class Observables:
    """What an add-observables call carries: entities as (type, value, role) tuples
    (normalised), values kept as sent (KeptValue), files, and TheHive's failure entries
    for what could not be read ({"type", "message", "object"})."""

    tuples: list[tuple[str, str, str]] = field(default_factory=list)
    kept: list[KeptValue] = field(default_factory=list)
    files: list[EvidenceFile] = field(default_factory=list)
    failures: list[dict] = field(default_factory=list)


def kept_value(obs: dict, value: str) -> KeptValue:
    """One value of observable `obs` kept as sent, with its message and its tags (as many
    and as long as an alert's: MAX_TAGS, MAX_TAG_LENGTH)."""
    message = obs.get("message")
    tags = [t[:MAX_TAG_LENGTH] for t in as_list(obs.get("tags"))[:MAX_TAGS] if isinstance(t, str)]
    return KeptValue(
        data_type=obs["dataType"],
        data=value,
        message=message if isinstance(message, str) else "",
        tags=tuple(tags),
    )


def failure(type_: str, message: str, obj: dict) -> dict:
    """A failure entry of TheHive's 207 answer: its error, and what it was about."""
    return {"type": type_, "message": message, "object": obj}


def read_observables(items, uploads: dict, *, strict: bool = False) -> Observables:
    """TheHive observables to add to an alert: one {dataType, data} or a list of them.
    `data` may be one value or a list (TheHive makes one observable of each). A value of
    a type Vigil stores is an entity; any other is kept as sent (cases.ingest.thehive
    read_declared); a file comes inline (v0 "name;type;base64") or as the multipart parts.

    What TheHive refuses (cases.ingest.thehive.unreadable: no dataType, no data...) is
    TheHive's 400 AttributeCheckingError when it is the one observable sent, or with
    `strict` (an alert update); in a list, the observable is a failure entry and the
    others are read. An inline file that is not "name;type;base64" is a failure entry, as
    TheHive makes each value on its own. More than MAX_OBSERVABLES values is a 400."""
    single = isinstance(items, dict)
    items = [items] if single else items
    if not isinstance(items, list) or not items:
        raise bad_request("Expected an observable {dataType, data} (or a list of them).")
    read = Observables()
    values = 0
    for i, item in enumerate(items):
        problem = unreadable(item)
        if problem:
            name = f"observables[{i}].{problem[0]}".rstrip(".")
            if single or strict:
                raise TheHiveError(
                    400, "AttributeCheckingError", f"{name}: {problem[1]}", {name: [problem[1]]}
                )
            read.failures.append(failure("AttributeCheckingError", f"{name}: {problem[1]}", _described(item)))
            continue
        values += len(as_list(item.get("data")))
        if values > MAX_OBSERVABLES:
            raise bad_request(f"At most {MAX_OBSERVABLES} observable values per request.")
        if item["dataType"] == "file":
            uploads = _read_files(read, i, item, uploads)
            continue
        entities = ObservableList()
        read.kept += [kept_value(item, value) for value in read_declared(item, entities)]
        for type_, value, role in entities.items:
            read.tuples.append((type_, value, role))
            if type_ == Observable.Type.EMAIL:
                read.tuples.append((Observable.Type.DOMAIN, value.rpartition("@")[2], role))
    if strict and read.failures:
        raise bad_request(read.failures[0]["message"])
    return read


def _described(item) -> dict:
    """What a failure entry names of the observable: its dataType and data, as sent."""
    if not isinstance(item, dict):
        return {}
    return {key: item[key] for key in ("dataType", "data") if key in item}


def _read_files(read: Observables, i: int, item: dict, uploads: dict) -> dict:
    """A file observable's files into `read` (or its failure entries); returns the
    multipart parts not used yet."""
    if item.get("data") is None:
        if not uploads:
            raise bad_request(f"observables[{i}]: a file observable comes with its file (multipart).")
        read.files += [uploaded(f) for f in uploads.values()]
        return {}
    for value in as_list(item.get("data")):
        try:
            read.files.append(inline_file(f"observables[{i}]", value))
        except TheHiveError as exc:
            if exc.status_code != 400:
                raise
            name = value.split(";", 1)[0] if isinstance(value, str) and ";" in value else "no name"
            read.failures.append(
                failure(
                    "AttributeCheckingError",
                    str(exc.detail),
                    {"data": f"file:{name}", "attachment": {"name": name}},
                )
            )
    return uploads
