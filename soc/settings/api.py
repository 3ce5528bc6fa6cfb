"""The API: Django REST framework and the OpenAPI schema (drf-spectacular)."""

from .base import env

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "cases.authentication.UserTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["soc.permissions.IsUserNotIngestToken"],
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    # soc.parsers.JSONParser enforces VIGIL_MAX_BODY_BYTES (413); DRF's own does not.
    "DEFAULT_PARSER_CLASSES": ["soc.parsers.JSONParser"],
    "DEFAULT_PAGINATION_CLASS": "soc.api.StandardPagination",
    "PAGE_SIZE": 50,
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "soc.api.exception_handler",
    # OPTIONS without DRF's field introspection, which answered 500 on some views.
    "DEFAULT_METADATA_CLASS": "soc.metadata.VigilMetadata",
    "DEFAULT_THROTTLE_RATES": {
        "ingest": env.str("VIGIL_INGEST_RATE", default="6000/min"),
    },
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Vigil API",
    "DESCRIPTION": (
        "Alert ingestion for SIEMs (ingest tokens) and case, playbook and containment "
        "APIs for analysts (session or personal tokens)."
    ),
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    # The schema and Swagger UI are for signed-in users (drf-spectacular serves them to anyone
    # by default); anonymous schema requests get the usual 401 JSON.
    "SERVE_PERMISSIONS": ["soc.permissions.IsUserNotIngestToken"],
    # Several models have a `status`; name each enum after its model instead of a hash.
    "ENUM_NAME_OVERRIDES": {
        "CaseStatusEnum": "cases.models.Case.Status",
        "ContainmentActionStatusEnum": "containment.models.ContainmentAction.Status",
        "PlaybookVersionStatusEnum": "playbooks.models.PlaybookVersion.Status",
        "ActionKeyEnum": "playbooks.registry.ActionKey",
    },
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    # OpenAPI 3.1: a nullable reference is `oneOf: [$ref, {type: null}]`, which validators and
    # generated clients read as "may be null" (3.0's `allOf` + `nullable` is read either way).
    "OAS_VERSION": "3.1.0",
}
