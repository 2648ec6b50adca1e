"""The one way the rules say no. Services raise these; `core.api_errors` (API), the pages and
the admin translate them, each in one place."""


class ServiceError(Exception):
    """A rule refused the change. The message is meant for the person who asked for it."""

    def __init__(self, message: str, *, field: str | None = None, code: str = "invalid"):
        super().__init__(message)
        self.message = message
        self.field = field
        self.code = code


class AccessDenied(ServiceError):
    """The caller may not do this: their role, or their token's scopes, do not allow it."""

    def __init__(self, message: str, code: str = "permission_denied"):
        super().__init__(message, code=code)
