import logging
import re
from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse

from core.http import client_ip
from ops.logs import current_id, new_id

logger = logging.getLogger(__name__)

HEADER = "X-Request-ID"
# A proxy's id is kept only when it looks like one: bounded, and nothing that could forge or
# break a log line.
SANE_ID = re.compile(r"[A-Za-z0-9._:-]{1,128}")


class RequestIdMiddleware:
    """Gives each request an id, found in every log line it causes and in the `X-Request-ID`
    response header, and logs each 429. The id comes from the trusted proxy's `X-Request-ID`
    when `NUM_PROXIES` says there is one; otherwise, or when it looks wrong, it is new."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        incoming = request.headers.get(HEADER, "") if settings.NUM_PROXIES >= 1 else ""
        request_id = incoming if SANE_ID.fullmatch(incoming) else new_id()
        request.request_id = request_id  # type: ignore[attr-defined]
        reset = current_id.set(request_id)
        try:
            response = self.get_response(request)
            if response.status_code == 429:
                logger.warning(
                    "rate limit reached",
                    extra={
                        "event": "throttled",
                        "client_ip": client_ip(request),
                        "method": request.method,
                        "path": request.path,
                        "retry_after": response.get("Retry-After"),
                    },
                )
        finally:
            current_id.reset(reset)
        response[HEADER] = request_id
        return response
