from collections.abc import Iterator
from contextlib import contextmanager
from typing import NoReturn

from django.conf import settings
from django.core.exceptions import RequestDataTooBig
from django.http import Http404, JsonResponse
from django.views import defaults
from rest_framework import exceptions

from core.errors import AccessDenied, ServiceError


def exception_handler(exc, context):
    """DRF's handler, with a machine-readable `code` beside every `detail`."""
    # Imported here: rest_framework.views loads the permission classes, which use this module.
    from rest_framework.views import exception_handler as drf_exception_handler

    if isinstance(exc, Http404):
        exc = exceptions.NotFound()
    elif isinstance(exc, RequestDataTooBig):  # raised by Django when the parser reads the body
        exc = RequestTooLarge(
            f"The request body is larger than {settings.DATA_UPLOAD_MAX_MEMORY_SIZE} bytes."
        )
    response = drf_exception_handler(exc, context)
    if response is not None and isinstance(response.data, dict) and "detail" in response.data:
        codes = exc.get_codes() if hasattr(exc, "get_codes") else None
        if isinstance(codes, str):
            response.data["code"] = codes
        elif isinstance(codes, dict) and isinstance(codes.get("detail"), str):
            response.data["code"] = codes["detail"]
    return response


class RequestTooLarge(exceptions.APIException):
    status_code = 400
    default_detail = "The request body is too large."
    default_code = "request_too_large"


class RuleViolation(exceptions.APIException):
    status_code = 400
    default_detail = "The request breaks a rule of this account."
    default_code = "invalid"


@contextmanager
def service_errors() -> Iterator[None]:
    """Turn a change the services refuse into DRF's answer: 403 for permissions, 400 with field
    errors for bad input, 400 with a code for a broken rule."""
    try:
        yield
    except ServiceError as exc:
        _raise_for(exc)


def _raise_for(exc: ServiceError) -> NoReturn:
    if isinstance(exc, AccessDenied) or exc.code == "permission_denied":
        raise exceptions.PermissionDenied(exc.message, code=exc.code) from None
    if exc.field:
        raise exceptions.ValidationError({exc.field: [exc.message]}, code=exc.code) from None
    raise RuleViolation(exc.message, code=exc.code) from None


def not_found(request, exception=None):
    """The site's 404: JSON in the API's error shape under /api/, Django's page elsewhere."""
    if request.path.startswith("/api/"):
        return JsonResponse({"detail": "Not found.", "code": "not_found"}, status=404)
    return defaults.page_not_found(request, exception)


def bad_request(request, exception=None):
    """The site's 400 (a body over the size limit, too many fields, a host not allowed): JSON in
    the API's error shape under /api/, Django's page elsewhere."""
    if request.path.startswith("/api/"):
        return JsonResponse({"detail": "Bad request.", "code": "bad_request"}, status=400)
    return defaults.bad_request(request, exception)
