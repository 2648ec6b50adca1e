"""Every page state at a phone's width and at a desktop's: never wider than the viewport, and no
accessibility violation found by axe-core. The states are those of docs/screenshots/."""

import pytest

from tests.browser import page_states

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.mark.parametrize("width", page_states.WIDTHS)
def test_every_page_state_fits_the_viewport_and_passes_axe(
    signed_in, new_context, live_server, account_a, account_b, admin_a, agent_a, light_a, width
):
    from axe_playwright_python.sync_playwright import Axe

    axe = Axe()
    demo = page_states.seed(account_a, account_b, admin_a, agent_a, light_a)
    problems = []

    def check(page, state):
        if not state.js:
            return  # both checks run script in the page; the same markup is checked with script
        scroll_width = page.evaluate("document.documentElement.scrollWidth")
        if scroll_width > width:
            problems.append(f"{state.name}: {scroll_width} px wide in a {width} px viewport")
        results = axe.run(page)
        if results.violations_count:
            problems.append(f"{state.name}:\n{results.generate_report()}")

    page_states.visit_every_state(
        signed_in, new_context, live_server, demo, width, check, admin=False
    )
    assert not problems, "\n".join(problems)


def test_the_admin_token_list_shows_every_column_at_1280_px(
    signed_in, account_a, account_b, admin_a, agent_a, light_a
):
    demo = page_states.seed(account_a, account_b, admin_a, agent_a, light_a)
    page = signed_in(demo["support"])
    page.set_viewport_size({"width": 1280, "height": 900})
    page.goto("/admin/tokens/token/")
    assert page.evaluate("document.documentElement.scrollWidth") <= 1280
    # The results table scrolls sideways when a column does not fit: it must not need to.
    assert page.evaluate(
        "(() => { const box = document.querySelector('.results');"
        " return box.scrollWidth <= box.clientWidth; })()"
    )
    assert page.get_by_role("cell", name="Never").count() >= 1  # "last used at" is on screen
