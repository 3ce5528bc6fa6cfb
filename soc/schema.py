"""OpenAPI (drf-spectacular) extensions for the project-wide API plumbing."""

from drf_spectacular.extensions import OpenApiAuthenticationExtension


class TokenScheme(OpenApiAuthenticationExtension):
    """`Authorization: Token <token>`: personal tokens (vgu_) and ingest tokens (vgi_)."""

    target_class = "cases.authentication.TokenAuthenticationBase"
    match_subclasses = True
    name = "tokenAuth"

    def get_security_definition(self, auto_schema):
        return {
            "type": "apiKey",
            "in": "header",
            "name": "Authorization",
            "description": (
                "`Token vgu_...` for an analyst's personal token; `Token vgi_...` for an ingest "
                "source's token, which only the ingest endpoints accept."
            ),
        }
