"""OpenAPI: the three ways to authenticate, and the errors every operation can answer."""

from drf_spectacular import openapi
from drf_spectacular.extensions import OpenApiAuthenticationExtension
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
    name = "sessionAuth"

    def get_security_definition(self, auto_schema):
        return {
            "type": "apiKey",
            "in": "cookie",
            "name": "sessionid",
            "description": "Browser session with CSRF; the account comes from `X-Account`.",
        }


class ErrorSerializer(serializers.Serializer):
    detail = serializers.CharField()
    code = serializers.CharField()


ERRORS = {
    "401": "Missing, malformed, unknown, expired or revoked token, or an owner who can no "
    "longer use it (one generic answer, with `WWW-Authenticate`).",
    "403": "`token_access_disabled`, `ip_not_allowed` (outside the token's or the account's "
    "allowed addresses), `insufficient_scope` or `permission_denied`.",
    "404": "No such object in this account (objects of other accounts are never confirmed).",
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

    def _get_response_bodies(self, direction="response"):
        responses = super()._get_response_bodies(direction)
        error = self._get_response_for_code(ErrorSerializer, "400", direction=direction)["content"]
        codes = ["429"]
        if self.view.get_authenticators():
            codes += ["401", "403"]
        if "{" in self.path:
            codes.append("404")
        if self.method in ("POST", "PATCH", "PUT"):
            responses.setdefault(
                "400",
                {
                    "description": "Invalid input: field errors as `{field: [messages]}`, or "
                    "`{detail, code}` for a broken rule.",
                    "content": {"application/json": {"schema": {"type": "object"}}},
                },
            )
        for code in codes:
            responses.setdefault(code, {"description": ERRORS[code], "content": error})
        return responses
