"""The OpenAPI schema's view of the API conventions: every operation documents its errors.

drf-spectacular documents the success responses a view declares. The errors come from the shared
machinery (authentication, permissions, validation, pagination, throttling, the domain errors of
the services) and answer in one shape (`portal.api.exception_handler`); `PortalAutoSchema` adds
the ones each operation can give, unless the view declares that status itself.
"""

from __future__ import annotations

from drf_spectacular.extensions import OpenApiSerializerExtension
from drf_spectacular.openapi import AutoSchema
from drf_spectacular.utils import OpenApiResponse
from rest_framework import serializers
from rest_framework.permissions import AllowAny

SAFE_METHODS = ("GET", "HEAD", "OPTIONS")


class ErrorSerializer(serializers.Serializer):
    """The one error shape of the API."""

    detail = serializers.CharField(help_text="What went wrong, for people (translated).")
    code = serializers.CharField(help_text="A stable code for programs, e.g. `not_found`.")
    fields = serializers.DictField(
        help_text="Messages by input field (a list of strings, or nested for nested input)."
    )

    class Meta:
        ref_name = "Error"


class AnyOf(serializers.Serializer):
    """A response shaped like one of several serializers, e.g. what members of an organisation
    see or what the public sees: `AnyOf(DetailSerializer, PublicSerializer, component_name=...)`.

    (drf-spectacular's PolymorphicProxySerializer says `oneOf`, which a detail object also
    matching the public shape would break.)"""

    def __init__(self, *choices, component_name: str, **kwargs):
        self.choices = choices
        self.component_name = component_name
        super().__init__(**kwargs)


class AnyOfExtension(OpenApiSerializerExtension):
    target_class = AnyOf
    match_subclasses = True

    def get_name(self, auto_schema, direction):
        return self.target.component_name

    def get_identity(self, auto_schema, direction):
        return (self.target.component_name, tuple(type(c) for c in self.target.choices))

    def map_serializer(self, auto_schema, direction):
        refs = [auto_schema.resolve_serializer(c, direction).ref for c in self.target.choices]
        return {"anyOf": refs}


ERRORS = {
    "400": "The input is invalid: `fields` names each field at fault.",
    "401": "No credentials, or invalid ones.",
    "403": "The signed-in account may not do this.",
    "404": "No such object (or not one this account may see), or no such page (or cursor).",
    "409": "The action conflicts with the object's current state.",
    "413": "The request body is larger than the limit.",
    "415": "The request body's media type is not one the operation accepts.",
    "429": "Too many requests: retry after the number of seconds in `Retry-After`.",
}


class PortalAutoSchema(AutoSchema):
    """drf-spectacular's AutoSchema, plus the error responses of each operation."""

    def get_operation(self, path, path_regex, path_prefix, method, registry):
        operation = super().get_operation(path, path_regex, path_prefix, method, registry)
        if operation is None:
            return None
        responses = operation["responses"]
        for code in self._error_statuses(operation):
            if code not in responses:
                responses[code] = self._get_response_for_code(
                    OpenApiResponse(ErrorSerializer, description=ERRORS[code]), code
                )
        if "429" in responses:
            responses["429"].setdefault("headers", {})["Retry-After"] = {
                "schema": {"type": "integer"},
                "description": "Seconds to wait before the next request.",
            }
        operation["responses"] = dict(sorted(responses.items()))
        return operation

    def _error_statuses(self, operation: dict) -> list[str]:
        view = self.view
        params = operation.get("parameters", [])
        has_body = "requestBody" in operation
        writes = self.method not in SAFE_METHODS
        authenticates = bool(view.get_authenticators())
        restricted = not all(isinstance(p, AllowAny) for p in view.get_permissions())
        statuses = []
        if writes or has_body or any(p["in"] == "query" for p in params):
            statuses.append("400")
        if authenticates:
            # A wrong token fails even where no login is needed.
            statuses.append("401")
        if restricted or (authenticates and writes):
            # Permissions, or the CSRF check of a session-authenticated write.
            statuses.append("403")
        # A page number past the end, or a cursor that is not one, is a 404 too.
        paged = any(p["in"] == "query" and p["name"] in ("page", "cursor") for p in params)
        if paged or any(p["in"] == "path" for p in params):
            statuses.append("404")
        if writes:
            statuses.append("409")
        if has_body:
            statuses += ["413", "415"]
        if view.get_throttles():
            statuses.append("429")
        return statuses
