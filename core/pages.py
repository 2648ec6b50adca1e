"""Refusals on the site's pages: the one translation of ServiceError/AccessDenied for views that
render forms (the API's is core.api_errors.service_errors)."""

from collections.abc import Iterator, Mapping
from contextlib import contextmanager

from django import forms
from django.core.exceptions import BadRequest, PermissionDenied

from core.errors import AccessDenied, ServiceError


@contextmanager
def form_refusals(
    form: forms.Form | None = None, fields: Mapping[str, str | None] | None = None
) -> Iterator[None]:
    """AccessDenied becomes the 403 page; any other refusal is shown on `form`, next to the
    field it names (`fields` maps service field names to form field names) or at the top
    (without a form: the 400 page).
    Code after the refused call in the block does not run, so a view can write:

        with form_refusals(form, {...}):
            service(...)
            return redirect(...)
        return render(..., status=400)
    """
    try:
        yield
    except ServiceError as exc:
        if isinstance(exc, AccessDenied) or exc.code == "permission_denied":
            raise PermissionDenied(exc.message) from None
        if form is None:
            raise BadRequest(exc.message) from None
        form.add_error((fields or {}).get(exc.field or ""), exc.message)
