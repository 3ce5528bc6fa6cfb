"""What OPTIONS answers on the API: the view's name, description, media types and (in the
Allow header) its methods. Not DRF's per-field "actions" introspection: it instantiates
serializers and may fetch the object for views that build their querysets per request
(it answered 500 on some), and the OpenAPI schema at /api/schema/ already describes every
field."""

from rest_framework.metadata import SimpleMetadata


class VigilMetadata(SimpleMetadata):
    def determine_metadata(self, request, view):
        return {
            "name": view.get_view_name(),
            "description": view.get_view_description(),
            "renders": [renderer.media_type for renderer in view.renderer_classes],
            "parses": [parser.media_type for parser in view.parser_classes],
        }
