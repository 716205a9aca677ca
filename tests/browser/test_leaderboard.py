"""A trainee finds their own row on the leaderboard, switches its tabs in place (and without
JavaScript, and by keyboard), hides from other trainees; an educator sees usernames."""

import re

import pytest
from playwright.sync_api import expect

from quizzes.services.attempts import answer_submit, attempt_start
from quizzes.services.educators import educator_create
from tests.browser.conftest import make_page
from tests.browser.test_bundled_quizzes import log_in
from tests.factories import make_quiz, make_user, questions_of, right_choices, wrong_choices

pytestmark = pytest.mark.django_db(transaction=True)


def take(user, quiz, right: int):
    attempt = attempt_start(user=user, quiz=quiz)
    for number, question in enumerate(questions_of(quiz)):
        chosen = right_choices(question) if number < right else wrong_choices(question)[:1]
        answer_submit(attempt=attempt, question=question, chosen=chosen)


@pytest.fixture
def cohort(db):
    """22 strong trainees on "Cannonball metastases", and Dr Ada further down; only Ada took "Miliary pattern"."""
    cannonball = make_quiz(questions=3, title="Cannonball metastases")
    miliary = make_quiz(questions=2, title="Miliary pattern")
    strong = [make_user(username=f"strong{n}", display_name=f"Strong trainee {n}") for n in range(22)]
    for user in strong:
        take(user, cannonball, 3)
    ada = make_user(username="ada", display_name="Dr Ada")
    take(ada, cannonball, 1)
    take(ada, miliary, 1)
    return {"ada": ada, "strong": strong[0], "cannonball": cannonball, "miliary": miliary}


def own_row(page):
    return page.get_by_role("row").filter(has=page.get_by_role("rowheader", name=re.compile("Dr Ada")))


def test_switching_tabs_in_place_keeps_finding_the_trainees_own_row(page, cohort, assert_accessible):
    log_in(page, cohort["ada"])
    page.get_by_role("link", name="Leaderboard").click()
    expect(page.get_by_role("heading", name="Leaderboard")).to_be_visible()
    page.wait_for_load_state("load")
    tabs = page.get_by_role("navigation", name="Leaderboards")

    # All time: Ada is outside the top 20, so her row follows it with her true rank.
    expect(tabs.get_by_role("link", name="All time")).to_have_attribute("aria-current", "page")
    expect(own_row(page)).to_contain_text("23")
    expect(own_row(page)).to_contain_text("20")  # 10 on each quiz; the strong trainees have 30
    assert_accessible(page)

    page.evaluate("window.stillTheSamePage = true")
    tabs.get_by_role("link", name="This week").click()
    expect(page).to_have_url(re.compile(r"/leaderboard/\?board=week$"))
    expect(tabs.get_by_role("link", name="This week")).to_have_attribute("aria-current", "page")
    expect(page).to_have_title(re.compile("^This week · Leaderboard"))
    expect(page.get_by_role("table")).to_contain_text("This week:")
    expect(own_row(page)).to_contain_text("23")
    assert page.evaluate("window.stillTheSamePage === true"), "the board must switch without a page load"
    assert_accessible(page)

    tabs.get_by_role("link", name="By quiz").click()
    expect(page.get_by_label("Quiz")).to_be_visible()
    page.get_by_label("Quiz").select_option(label="Miliary pattern")
    page.get_by_role("button", name="Show this quiz").click()
    expect(page).to_have_url(re.compile(r"board=quiz&quiz=" + cohort["miliary"].slug))
    expect(own_row(page)).to_contain_text("10")
    expect(page.get_by_role("row")).to_have_count(2)  # the header and Ada: she alone took it
    assert page.evaluate("window.stillTheSamePage === true")
    assert_accessible(page)

    page.go_back()
    page.go_back()
    expect(tabs.get_by_role("link", name="This week")).to_have_attribute("aria-current", "page")
    expect(own_row(page)).to_be_visible()


def test_the_tabs_work_with_the_keyboard_and_keep_focus(page, cohort):
    log_in(page, cohort["ada"])
    page.goto("/leaderboard/")
    page.wait_for_load_state("load")
    all_time = page.get_by_role("link", name="All time")
    all_time.focus()

    page.keyboard.press("Tab")
    expect(page.get_by_role("link", name="This week")).to_be_focused()
    page.keyboard.press("Enter")

    expect(page.get_by_role("link", name="This week")).to_have_attribute("aria-current", "page")
    expect(page.get_by_role("link", name="This week")).to_be_focused()  # htmx put focus back on the tab
    expect(own_row(page)).to_be_visible()


def test_the_tabs_and_the_quiz_chooser_work_with_javascript_off(page_without_js, cohort):
    page = page_without_js
    log_in(page, cohort["ada"])
    page.goto("/leaderboard/")

    page.get_by_role("link", name="This week").click()
    expect(page).to_have_url(re.compile(r"board=week$"))
    expect(page.get_by_role("link", name="This week")).to_have_attribute("aria-current", "page")
    expect(own_row(page)).to_be_visible()

    page.get_by_role("link", name="By quiz").click()
    page.get_by_label("Quiz").select_option(label="Miliary pattern")
    page.get_by_role("button", name="Show this quiz").click()
    expect(page).to_have_url(re.compile(r"board=quiz&quiz=" + cohort["miliary"].slug))
    expect(own_row(page)).to_contain_text("10")


def test_a_trainee_hides_from_the_leaderboard_and_others_see_anonymous(
    page, browser, live_server, cohort, assert_accessible
):
    log_in(page, cohort["ada"])
    page.goto("/leaderboard/")
    page.get_by_role("link", name="Leaderboard settings").click()
    assert_accessible(page)
    page.get_by_label("Hide me from other trainees on leaderboards").check()
    page.get_by_role("button", name="Save settings").click()

    expect(page.get_by_text("Your leaderboard settings are saved.")).to_be_visible()
    expect(page.get_by_text("You are hidden")).to_be_visible()
    expect(own_row(page)).to_contain_text("hidden from trainees")
    assert_accessible(page)
    page.get_by_role("link", name="Scoring", exact=True).click()
    expect(page.get_by_role("heading", name="How scoring works")).to_be_visible()
    assert_accessible(page)

    context, other = make_page(browser, live_server)
    log_in(other, cohort["strong"])
    other.goto(f"/leaderboard/?board=quiz&quiz={cohort['miliary'].slug}")  # Ada alone took this quiz
    anonymous = other.get_by_role("row").filter(has=other.get_by_role("rowheader", name="Anonymous trainee"))
    expect(anonymous).to_contain_text("10")
    expect(other.get_by_text("Dr Ada")).to_have_count(0)
    other.watch.assert_clean()
    context.close()


def test_an_educator_sees_usernames_and_a_csv_download(page, cohort, assert_accessible):
    educator = educator_create(username="teacher", password="a-long-educator-pass-1", display_name="Dr Teacher")
    educator.raw_password = "a-long-educator-pass-1"
    log_in(page, educator)
    page.goto("/leaderboard/")

    expect(page.get_by_role("columnheader", name="Username")).to_be_visible()
    expect(page.get_by_role("cell", name="strong0", exact=True)).to_be_visible()
    assert_accessible(page)
    with page.expect_download() as download:
        page.get_by_role("link", name=re.compile("Download this leaderboard as CSV")).click()
    assert download.value.suggested_filename == "leaderboard-all.csv"
