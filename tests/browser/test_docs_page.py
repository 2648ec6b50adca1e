"""The API docs (Swagger UI) in a real browser under the site's strict Content-Security-Policy."""

import pytest
from playwright.sync_api import expect

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# Collects every CSP violation the page reports, from the first script on.
RECORD_VIOLATIONS = """
window.cspViolations = [];
document.addEventListener("securitypolicyviolation", (event) => {
  window.cspViolations.push(event.violatedDirective + " " + event.blockedURI);
});
"""


def test_docs_render_every_operation_under_the_strict_csp(new_context, live_server):
    page = new_context(base_url=live_server.url).new_page()
    page.add_init_script(RECORD_VIOLATIONS)
    console = []
    page.on("console", lambda message: console.append(message.text))

    response = page.goto("/api/v1/docs")
    policy = response.headers["content-security-policy"]
    assert "unsafe-inline" not in policy and "unsafe-eval" not in policy

    expect(page.get_by_role("heading", name="token-portal API")).to_be_visible()
    expect(page.locator(".opblock").first).to_be_visible()
    paths = page.locator(".opblock-summary-path").all_inner_texts()
    for path in ("/api/v1/me", "/api/v1/tokens", "/api/v1/tokens/{id}/rotate"):
        assert path in paths
    page.locator(".opblock-summary-path", has_text="/api/v1/me").first.click()
    expect(page.get_by_role("button", name="Try it out")).to_be_visible()

    assert page.evaluate("window.cspViolations") == []
    assert not [text for text in console if "Content Security Policy" in text]
