from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render

from accounts.models import Membership


@login_required
def tokens_page(request: HttpRequest, slug: str) -> HttpResponse:
    membership = get_object_or_404(
        Membership.objects.select_related("account"), account__slug=slug, user=request.user
    )
    return render(
        request, "tokens/page.html", {"membership": membership, "account": membership.account}
    )
