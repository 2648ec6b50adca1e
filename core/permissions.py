from rest_framework import exceptions
from rest_framework.permissions import BasePermission

from core.api_errors import service_errors


class ScopePermission(BasePermission):
    """Each view names the scope each method needs in `required_scopes`, e.g.
    {"GET": "tokens:read", "POST": "tokens:write"}; None means any authenticated caller.
    A method the view does not list is refused.

    `request.auth` is the caller's access (accounts.access.Access): anything with `require()`."""

    def has_permission(self, request, view) -> bool:
        access = request.auth
        if not hasattr(access, "require"):
            return False  # DRF answers 401 when nobody is authenticated
        method = "GET" if request.method in ("HEAD", "OPTIONS") else request.method
        required = getattr(view, "required_scopes", {})
        if method not in required:
            raise exceptions.MethodNotAllowed(request.method)
        scope = required[method]
        if scope is not None:
            with service_errors():
                access.require(scope)
        return True
