"""The account's audit trail, for those allowed to read it (as in the API: `audit:read`)."""

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from accounts.models import AuditEvent
from tokens.views.common import audit_rows, caller_for

AUDIT_PER_PAGE = 50


@login_required
@require_GET
def audit_page(request: HttpRequest, slug: str) -> HttpResponse:
    caller = caller_for(request, slug, need="audit:read")
    events = AuditEvent.objects.filter(account=caller.account).select_related("actor")
    page = Paginator(events, AUDIT_PER_PAGE).get_page(request.GET.get("page"))
    context = caller.context() | {"page": page, "events": audit_rows(page.object_list)}
    return render(request, "tokens/audit.html", context)
