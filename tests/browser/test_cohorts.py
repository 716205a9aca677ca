"""An educator makes a cohort and sets it the miliary quiz due tomorrow; two trainees join, one by code
and one by link; one finishes it; the educator sees one done and one not started; both trainees see the
cohort's leaderboard. Every cohort page is axe clean, works by keyboard and without JavaScript."""

import datetime
import re

import pytest
from django.core.management import call_command
from django.utils import timezone
from playwright.sync_api import expect

from quizzes.models import Quiz
from quizzes.services.attempts import attempt_finish
from quizzes.services.cohorts import assignment_create
from tests.browser.conftest import make_page
from tests.browser.test_bundled_quizzes import log_in
from tests.factories import make_cohort, make_educator, make_quiz, make_user, take_quiz

pytestmark = pytest.mark.django_db(transaction=True)
MILIARY = "Miliary metastases on the chest radiograph"
REFUSED = "Failed to load resource: the server responded with a status of 422 (Unprocessable Content)"


@pytest.fixture
def people(db):
    call_command("load_content", verbosity=0)
    return {
        "educator": make_educator(username="dr-owner"),
        "ada": make_user(username="ada", display_name="Dr Ada"),
        "bea": make_user(username="bea", display_name="Dr Bea"),
    }


def row_of(page, name):
    return page.get_by_role("row").filter(has=page.get_by_role("rowheader", name=re.compile(name)))


def test_an_educator_sets_a_quiz_two_trainees_join_and_the_results_and_board_follow(
    page, browser, live_server, people, assert_accessible
):
    educator = page
    log_in(educator, people["educator"])
    educator.get_by_role("link", name="Cohorts").click()
    expect(educator.get_by_role("heading", name="Cohorts", exact=True)).to_be_visible()
    assert_accessible(educator)

    educator.get_by_role("link", name="New cohort").click()
    assert_accessible(educator)
    today = timezone.localdate()
    educator.get_by_label("Name").fill("First-years 2026")
    educator.get_by_label("Starts on").fill(today.isoformat())
    educator.get_by_label("Ends on").fill((today + datetime.timedelta(days=90)).isoformat())
    educator.get_by_role("button", name="Create cohort").click()
    expect(educator.get_by_role("heading", name="First-years 2026")).to_be_visible()
    assert_accessible(educator)
    code = educator.locator(".join-code").inner_text()

    educator.get_by_role("link", name="Assign a quiz").click()
    assert_accessible(educator)
    educator.get_by_label("Quiz").select_option(label=f"{MILIARY} (exam mode: 34 min)")
    educator.get_by_label("Mode").select_option("tutor")
    tomorrow = today + datetime.timedelta(days=1)
    educator.get_by_label("Due at").fill(f"{tomorrow.isoformat()}T17:00")
    educator.get_by_role("button", name="Assign").click()
    expect(educator.get_by_text(f"“{MILIARY}” is assigned")).to_be_visible()

    # Ada joins by typing the code, by keyboard; Bea follows the join link and confirms.
    ada_context, ada = make_page(browser, live_server)
    log_in(ada, people["ada"])
    ada.goto("/cohorts/")
    ada.get_by_label("Join code").focus()
    ada.keyboard.type(code.lower())
    ada.keyboard.press("Enter")
    expect(ada.get_by_text("You joined “First-years 2026”.")).to_be_visible()
    expect(ada.get_by_text("Due tomorrow")).to_be_visible()
    assert_accessible(ada)
    ada.goto("/")
    expect(ada.get_by_role("link", name=re.compile(r"Cohorts 1 assignment due soon or overdue"))).to_be_visible()
    expect(ada.locator(".assignment-list")).to_contain_text("Due tomorrow")
    assert_accessible(ada)

    bea_context, bea = make_page(browser, live_server)
    log_in(bea, people["bea"])
    bea.goto(f"/cohorts/join/{code}/")
    expect(bea.get_by_role("heading", name="Join “First-years 2026”?")).to_be_visible()
    assert_accessible(bea)
    bea.get_by_role("button", name="Join this cohort").click()
    expect(bea.get_by_text("You joined “First-years 2026”.")).to_be_visible()

    # Ada finishes the quiz (its 26 questions answered through the services: the trainee's own pages
    # are tested elsewhere).
    attempt_finish(attempt=take_quiz(people["ada"], Quiz.objects.get(title=MILIARY), [True] * 30))

    educator.reload()
    expect(row_of(educator, MILIARY)).to_contain_text("1")
    educator.get_by_role("link", name=re.compile(f"^{MILIARY}.*results$")).click()
    expect(row_of(educator, "Dr Ada")).to_contain_text("Done")
    expect(row_of(educator, "Dr Bea")).to_contain_text("Not started")
    expect(educator.get_by_text("From the 1 attempt that did this assignment")).to_be_visible()
    assert_accessible(educator)
    row_of(educator, "Dr Ada").get_by_role("link", name="Dr Ada").click()
    expect(educator.get_by_role("heading", name="Accuracy by topic")).to_be_visible()
    assert_accessible(educator)

    for trainee in (ada, bea):
        trainee.goto("/cohorts/")
        trainee.get_by_role("link", name="First-years 2026").click()
        trainee.get_by_role("link", name="Cohort leaderboard").click()
        expect(trainee.get_by_role("heading", name="First-years 2026: leaderboard")).to_be_visible()
        expect(row_of(trainee, "Dr Ada")).to_contain_text("100%")
        assert_accessible(trainee)
    bea.get_by_role("link", name="This week").click()
    expect(bea).to_have_url(re.compile(r"/cohorts/\d+/leaderboard/\?board=week$"))
    expect(row_of(bea, "Dr Ada")).to_be_visible()

    for context, trainee in ((ada_context, ada), (bea_context, bea)):
        trainee.watch.assert_clean()
        context.close()


@pytest.fixture
def member(db):
    """Dr Cal in a cohort with one quiz assigned; the cohort's code is known."""
    owner = make_educator()
    cal = make_user(username="cal", display_name="Dr Cal")
    cohort = make_cohort(owner=owner, members=[cal], name="Rotation B")
    assignment_create(
        cohort=cohort,
        quiz=make_quiz(questions=1, title="Cannonball metastases"),
        mode="tutor",
        due_at=timezone.now() - datetime.timedelta(hours=1),
        assigned_by=owner,
    )
    return {"owner": owner, "cal": cal, "cohort": cohort}


def test_without_javascript_a_trainee_is_refused_a_wrong_code_joins_and_leaves(page_without_js, member):
    page = page_without_js
    newcomer = make_user(display_name="Dr Newcomer")
    log_in(page, newcomer)
    page.goto("/cohorts/join/")
    page.get_by_label("Join code").fill("WRONG-CODE")
    page.get_by_role("button", name="Join").click()
    expect(page.get_by_text("No cohort is open to join with the code “WRONG-CODE”")).to_be_visible()
    assert page.watch.console_errors == [REFUSED]  # the browser's own note of the 422
    page.watch.console_errors.clear()

    page.goto(f"/cohorts/join/{member['cohort'].join_code}/")
    page.get_by_role("button", name="Join this cohort").click()
    expect(page.get_by_text("Overdue", exact=True)).to_be_visible()  # its assignment was due an hour ago
    page.get_by_role("link", name="Leave this cohort").click()
    expect(page.get_by_role("heading", name="Leave “Rotation B”?")).to_be_visible()
    page.get_by_role("button", name="Leave this cohort").click()
    expect(page.get_by_text("You left “Rotation B”.")).to_be_visible()
    assert not member["cohort"].memberships.filter(user=newcomer).exists()


def test_the_join_form_its_refusal_and_leaving_are_accessible(page, member, assert_accessible):
    log_in(page, member["cal"])
    page.goto("/cohorts/join/")
    assert_accessible(page)
    page.get_by_label("Join code").fill("WRONG-CODE")
    page.get_by_label("Join code").press("Enter")
    expect(page.get_by_role("alert")).to_contain_text("No cohort is open to join with the code “WRONG-CODE”")
    assert_accessible(page)
    page.goto("/cohorts/join/WRONG234/")
    expect(page.get_by_role("heading", name="This join code does not work")).to_be_visible()
    assert_accessible(page)
    # The browser's own notes of the 422 and the 404 (a code that opens no cohort is not found).
    assert page.watch.console_errors == [
        REFUSED,
        "Failed to load resource: the server responded with a status of 404 (Not Found)",
    ]
    page.watch.console_errors.clear()
    page.goto(member["cohort"].get_absolute_url())
    page.get_by_role("link", name="Leave this cohort").click()
    assert_accessible(page)


def test_the_owner_changes_the_cohort_and_adds_a_trainee_by_keyboard(page, member, assert_accessible):
    log_in(page, member["owner"])
    make_user(username="dee", display_name="Dr Dee")
    page.goto(member["cohort"].get_absolute_url())
    page.get_by_label("Add a trainee by username").focus()
    page.keyboard.type("dee")
    page.keyboard.press("Enter")
    expect(page.get_by_text("Dr Dee (dee) is now a trainee of “Rotation B”.")).to_be_visible()
    expect(page.get_by_role("region", name="Overdue work")).to_contain_text("Dr Cal")
    assert_accessible(page)

    page.get_by_role("link", name="Change name, description or dates").click()
    assert_accessible(page)
    page.get_by_label("Name").fill("Rotation B, spring")
    page.get_by_role("button", name="Save cohort").click()
    expect(page.get_by_role("heading", name="Rotation B, spring")).to_be_visible()

    page.get_by_role("row").filter(has=page.get_by_role("rowheader", name="Dr Dee")).get_by_role("link").click()
    page.get_by_role("link", name="Remove Dr Dee from this cohort").click()
    expect(page.get_by_role("heading", name="Remove Dr Dee from “Rotation B, spring”?")).to_be_visible()
    assert_accessible(page)
    page.get_by_role("button", name="Remove from this cohort").click()
    expect(page.get_by_text("Dr Dee (dee) is no longer in “Rotation B, spring”.")).to_be_visible()
