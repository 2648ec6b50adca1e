"""OpenAPI descriptions of the three ways to authenticate."""

from drf_spectacular.extensions import OpenApiAuthenticationExtension


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
