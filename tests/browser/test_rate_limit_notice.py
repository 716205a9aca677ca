"""In the browser: answering too fast shows the 429 notice in place of the question."""

import pytest
from django.core.cache import cache
from playwright.sync_api import expect

from tests.factories import make_quiz, make_user

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def one_answer_a_minute(settings):
    settings.RATE_LIMITS = {"answer": "1/60s"}
    cache.clear()
    yield
    cache.clear()


def test_the_429_notice_appears_in_place_of_the_question_and_takes_focus(
    one_answer_a_minute, browser, live_server, assert_accessible
):
    from tests.browser.conftest import make_page

    quiz = make_quiz(questions=2, title="Limited quiz")
    user = make_user()
    context, page = make_page(browser, live_server)
    page.goto("/accounts/login/")
    page.get_by_label("Username").fill(user.username)
    page.get_by_label("Password").fill(user.raw_password)
    page.get_by_role("button", name="Log in").click()
    page.goto(quiz.get_absolute_url())
    page.get_by_role("button", name="Start quiz").click()

    page.get_by_label("Right 1").check()
    page.get_by_role("button", name="Submit answer").click()
    expect(page.get_by_role("heading", name="Correct")).to_be_focused()
    page.get_by_role("link", name="Next question").click()
    expect(page.get_by_role("heading", name="Question 2 of 2")).to_be_visible()
    page.wait_for_load_state("load")
    page.get_by_label("Right 2").check()
    page.get_by_role("button", name="Submit answer").click()

    notice = page.get_by_role("alert").filter(has_text="was not recorded")
    expect(notice).to_be_visible()
    expect(notice).to_be_focused()
    expect(page.get_by_role("link", name="Back to the question")).to_be_visible()
    assert_accessible(page)
    # The browser itself reports the 429 on the console; htmx reports nothing, as nothing failed.
    assert [error for error in page.watch.console_errors if "429" not in error] == []
    assert page.watch.foreign_requests == []
    context.close()
