"""Response headers Django does not set itself."""

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse

CONTENT_SECURITY_POLICY = (
    "default-src 'self'; frame-ancestors 'none'; object-src 'none'; base-uri 'none'; "
    "form-action 'self'"
)
# Swagger UI's stylesheet draws its icons from data: URIs; only the docs page may load them.
DOCS_CONTENT_SECURITY_POLICY = CONTENT_SECURITY_POLICY + "; img-src 'self' data:"
DOCS_URL_NAME = "api-docs"


class ContentSecurityPolicyMiddleware:
    """Adds `Content-Security-Policy` to every response that does not set its own."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if "Content-Security-Policy" not in response:
            match = getattr(request, "resolver_match", None)
            docs = match is not None and match.url_name == DOCS_URL_NAME
            response["Content-Security-Policy"] = (
                DOCS_CONTENT_SECURITY_POLICY if docs else CONTENT_SECURITY_POLICY
            )
        return response
