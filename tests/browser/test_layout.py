"""The site's layout in the browser: the header, phones (no sideways scrolling), wide screens (the image
beside the question), the theme switch and answering from the keyboard."""

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import make_page
from tests.browser.test_bundled_quizzes import log_in
from tests.factories import make_user

pytestmark = pytest.mark.django_db(transaction=True)

PHONE = {"width": 390, "height": 844}


@pytest.fixture
def trainee(db):
    return make_user(username="ada", display_name="Dr Ada")


def test_the_header_says_who_is_signed_in_and_shows_a_favicon(page, trainee, assert_accessible):
    log_in(page, trainee)
    header = page.get_by_role("banner")
    expect(header.get_by_text("Signed in as Dr Ada")).to_be_visible()
    favicon = page.locator('link[rel="icon"]').get_attribute("href")
    response = page.request.get(favicon)
    assert response.status == 200
    assert response.headers["content-type"] == "image/svg+xml"
    assert_accessible(page)


@pytest.mark.parametrize("javascript", [True, False])
def test_on_a_phone_the_header_is_one_row_with_a_menu_opened_from_the_keyboard(
    browser, live_server, trainee, assert_accessible, javascript
):
    context, page = make_page(browser, live_server, java_script_enabled=javascript)
    log_in(page, trainee)
    page.set_viewport_size(PHONE)
    page.goto("/scoring/")
    brand = page.get_by_role("link", name="Metastasis Imaging Quiz")
    menu = page.get_by_text("Menu", exact=True)
    header_height = page.get_by_role("banner").bounding_box()["height"]
    assert header_height < 70, f"the header is {header_height} px tall"
    assert abs(brand.bounding_box()["y"] - menu.bounding_box()["y"]) < 20, "brand and menu on one row"
    expect(page.get_by_role("link", name="My progress")).to_be_hidden()

    page.keyboard.press("Tab")  # the skip link
    page.keyboard.press("Tab")  # the brand
    page.keyboard.press("Tab")
    expect(menu).to_be_focused()
    page.keyboard.press("Enter")
    expect(page.get_by_text("Signed in as Dr Ada")).to_be_visible()
    if javascript:
        assert_accessible(page)  # axe runs as a script in the page
    page.get_by_role("link", name="My progress").click()
    expect(page.get_by_role("heading", name="My progress", level=1)).to_be_visible()
    page.watch.assert_clean()
    context.close()
