"""The Webhooks page in a real browser: an admin adds an endpoint, copies its secret, sends a
test event to a receiver on 127.0.0.1 and sees it in the delivery log; axe-core finds nothing
at desktop and phone widths."""

import pytest
from playwright.sync_api import expect
from standardwebhooks.webhooks import Webhook

from tests.webhooks.conftest import IMMEDIATE, Receiver

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PAGE = "/accounts/acme/webhooks/"


@pytest.fixture
def receiver(settings):
    # Jobs run right after the request's commit, in the server's thread.
    settings.TASKS = IMMEDIATE
    with Receiver() as running:
        yield running


@pytest.mark.parametrize("width", [1280, 390])
def test_admin_adds_an_endpoint_and_sends_a_test_event(
    signed_in, admin_a, receiver, check_page, width
):
    page = signed_in(admin_a)
    page.set_viewport_size({"width": width, "height": 900})
    page.goto("/accounts/acme/tokens/")
    page.get_by_role("link", name="Webhooks").click()
    expect(page.get_by_role("heading", name="Webhooks", exact=True)).to_be_visible()
    check_page(page, f"webhooks-empty-{width}")

    page.get_by_role("button", name="Add endpoint").click()
    expect(page.get_by_role("heading", name="There is a problem")).to_be_visible()
    check_page(page, f"webhooks-form-errors-{width}")

    page.get_by_label("Endpoint URL").fill(receiver.url + "hooks")
    page.get_by_label("member.removed").uncheck()
    page.get_by_label("Description").fill("Security pipeline")
    page.get_by_role("button", name="Add endpoint").click()
    field = page.get_by_label(f"Signing secret of {receiver.url}hooks")
    secret = field.input_value()
    assert secret.startswith("whsec_")
    expect(page.get_by_role("button", name="Copy")).to_be_visible()
    check_page(page, f"webhooks-secret-{width}")
    page.get_by_role("link", name="Done, back to Webhooks").click()

    page.get_by_role("button", name="Send test event").click()
    expect(page.get_by_text("A test event is on its way")).to_be_visible()
    log = page.locator("#deliveries-table")
    expect(log.get_by_role("row").filter(has_text="webhook.test")).to_contain_text("Succeeded")
    expect(log).to_contain_text("204")
    assert len(receiver.requests) == 1
    assert Webhook(secret).verify(receiver.requests[0]["body"], receiver.requests[0]["headers"])
    assert page.evaluate("document.documentElement.scrollWidth") <= width  # no sideways scrolling
    check_page(page, f"webhooks-log-{width}")
