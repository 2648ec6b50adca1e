"""The account's audit trail, for its admins."""

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from accounts.models import AuditEvent
from tokens.views.common import memberships_for, page_context, require_admin

AUDIT_PER_PAGE = 50


@login_required
@require_GET
def audit_page(request: HttpRequest, slug: str) -> HttpResponse:
    membership, memberships = memberships_for(request, slug)
    require_admin(membership)
    events = AuditEvent.objects.filter(account=membership.account)
    page = Paginator(events, AUDIT_PER_PAGE).get_page(request.GET.get("page"))
    context = page_context(membership, memberships) | {"page": page}
    return render(request, "tokens/audit.html", context)
