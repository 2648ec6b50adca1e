"""OpenAPI: the three ways to authenticate, and the errors every operation can answer."""

from django.conf import settings
from drf_spectacular import openapi
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from drf_spectacular.plumbing import ResolvedComponent
from rest_framework import serializers


class BearerScheme(OpenApiAuthenticationExtension):
    target_class = "tokens.authentication.BearerTokenAuthentication"
    name = "bearerAuth"

    def get_security_definition(self, auto_schema):
        return {
            "type": "http",
            "scheme": "bearer",
            "description": "`Authorization: Bearer tpk_…` (or `Token tpk_…`).",
        }


class BasicScheme(OpenApiAuthenticationExtension):
    target_class = "tokens.authentication.BasicTokenAuthentication"
    name = "basicTokenAuth"

    def get_security_definition(self, auto_schema):
        return {
            "type": "http",
            "scheme": "basic",
            "description": "User name `<owner email>/token`, password the token. Only the "
            "token owner's own email is accepted.",
        }


class SessionScheme(OpenApiAuthenticationExtension):
    target_class = "tokens.authentication.AccountSessionAuthentication"
    match_subclasses = True  # security.authentication adds the two-factor policy and sudo mode
    name = "sessionAuth"

    def get_security_definition(self, auto_schema):
        return {
            "type": "apiKey",
            "in": "cookie",
            "name": settings.SESSION_COOKIE_NAME,  # `__Host-sessionid` in production
            "description": "Browser session with CSRF; the account comes from `X-Account`.",
        }


class ErrorSerializer(serializers.Serializer):
    detail = serializers.CharField()
    code = serializers.CharField()


# DRF's field errors: a list of messages per field, or per item / key for list and dict fields.
FIELD_ERRORS = {
    "type": "object",
    "additionalProperties": {
        "oneOf": [
            {"type": "array", "items": {"type": "string"}},
            {"type": "object", "additionalProperties": {}},
        ]
    },
}

ERRORS = {
    "400": "Invalid input: field errors as `{field: [messages]}`, or `{detail, code}` for a "
    "broken rule.",
    "401": "Missing, malformed, unknown, expired or revoked token, or an owner who can no "
    "longer use it (one generic answer, with `WWW-Authenticate`).",
    "403": "`token_access_disabled`, `ip_not_allowed` (outside the token's or the account's "
    "allowed addresses), `insufficient_scope` or `permission_denied`.",
    "404": "No such object in this account (objects of other accounts are never confirmed), "
    "no such page, or a session's `X-Account` that is not one of the user's accounts.",
    "429": "Rate limited; see `Retry-After`.",
}


# On every answer to a token-authenticated request, errors included (SPEC section 9).
RATE_LIMIT_HEADERS = {
    "RateLimit-Limit": "Requests this token may make in the current window.",
    "RateLimit-Remaining": "Requests left in the current window.",
    "RateLimit-Reset": "Seconds until the current window ends.",
}


class AutoSchema(openapi.AutoSchema):
    """drf-spectacular's schema, plus the error answers every operation can give and, on
    authenticated operations, the rate-limit headers."""

    def _get_response_for_code(self, *args, **kwargs):
        response = super()._get_response_for_code(*args, **kwargs)
        if self.view.get_authenticators():
            response.setdefault("headers", {}).update(
                {
                    name: {"schema": {"type": "integer"}, "description": text}
                    for name, text in RATE_LIMIT_HEADERS.items()
                }
            )
        return response

    def get_operation_id(self):
        operation_id = super().get_operation_id()
        # A POST to a path that is not a collection is an action (rotate, resend, ...): name it
        # by the action alone, not `…_create`.
        if self.method == "POST" and "GET" not in self.view.allowed_methods:
            operation_id = operation_id.removesuffix("_create")
        return operation_id

    def _get_response_bodies(self, direction="response"):
        responses = super()._get_response_bodies(direction)
        error = self._get_response_for_code(ErrorSerializer, "400", direction=direction)["content"]
        codes = ["429"]
        if self.view.get_authenticators():
            # 404 also for a session's `X-Account` naming no account of the user.
            codes += ["401", "403", "404"]
        elif "{" in self.path:
            codes.append("404")
        # Any operation: bad bodies, filters or pages, broken rules, a session without `X-Account`.
        field_errors = ResolvedComponent(
            name="FieldErrors",
            type=ResolvedComponent.SCHEMA,
            object="FieldErrors",
            schema=FIELD_ERRORS,
        )
        self.registry.register_on_missing(field_errors)
        error_schema = error["application/json"]["schema"]
        responses.setdefault(
            "400",
            {
                "description": ERRORS["400"],
                "content": {
                    "application/json": {"schema": {"oneOf": [field_errors.ref, error_schema]}}
                },
            },
        )
        for code in codes:
            responses.setdefault(code, {"description": ERRORS[code], "content": error})
        return responses


def nullable_as_null_type(result, generator, request, public):
    """OpenAPI 3.1 has no `nullable`: DRF's pagination schema still says `nullable: true` for
    `next` and `previous`, which 3.1 validators ignore. Say it with a `null` type instead."""

    def walk(node):
        if isinstance(node, dict):
            if node.pop("nullable", False) and isinstance(node.get("type"), str):
                node["type"] = [node["type"], "null"]
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    walk(result)
    return result
