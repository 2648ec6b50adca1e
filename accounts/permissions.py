from rest_framework import exceptions
from rest_framework.permissions import BasePermission

from accounts.access import Access, AccessDenied


class ScopePermission(BasePermission):
    """Each view names the scope each method needs in `required_scopes`, e.g.
    {"GET": "tokens:read", "POST": "tokens:write"}; None means any authenticated caller.
    A method the view does not list is refused."""

    def has_permission(self, request, view) -> bool:
        access = request.auth
        if not isinstance(access, Access):
            return False  # DRF answers 401 when nobody is authenticated
        method = "GET" if request.method in ("HEAD", "OPTIONS") else request.method
        required = getattr(view, "required_scopes", {})
        if method not in required:
            raise exceptions.MethodNotAllowed(request.method)
        scope = required[method]
        if scope is not None:
            try:
                access.require(scope)
            except AccessDenied as exc:
                raise exceptions.PermissionDenied(exc.message, code=exc.code) from None
        return True
