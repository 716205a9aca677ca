"""A problem report from trainee to educator and back: reported from the feedback (htmx, in place) or a
summary (JavaScript off), resolved in the admin's queue, seen resolved on My progress."""

import re

import pytest
from playwright.sync_api import expect

from quizzes.models import ProblemReport
from quizzes.services.attempts import attempt_finish
from quizzes.services.educators import educator_create
from tests.browser.conftest import make_page
from tests.browser.test_bundled_quizzes import log_in
from tests.browser.test_trainee_loop import heading_shown
from tests.factories import make_quiz, make_user, take_quiz

pytestmark = pytest.mark.django_db(transaction=True)


def fill_report(page, reason, note):
    page.get_by_role("radio", name=reason).first.check()
    page.get_by_label("Your note for the educators").first.fill(note)
    page.get_by_role("button", name=re.compile("Send report")).first.click()


def test_a_report_goes_from_the_trainee_to_the_educator_and_back(browser, live_server, page, assert_accessible):
    trainee = make_user()
    quiz = make_quiz(questions=2, title="Adrenal metastases")
    attempt = take_quiz(trainee, quiz, [False])
    log_in(page, trainee)
    page.goto(f"/attempts/{attempt.pk}/questions/{attempt.items.get(position=1).question_id}/")
    heading_shown(page, "Incorrect")
    page.get_by_text("Report a problem with this question").click()
    assert_accessible(page)
    fill_report(page, "Factual error", "The rationale contradicts the cited source.")
    expect(page.get_by_text("Thank you: your report on question 1 was sent to the educators.")).to_be_focused()
    assert ProblemReport.objects.get().note == "The rationale contradicts the cited source."

    educator_create(username="teacher", password="a-long-educator-pass-1")
    context, admin = make_page(browser, live_server)
    admin.goto("/admin/login/")
    admin.get_by_label("Username").fill("teacher")
    admin.get_by_label("Password").fill("a-long-educator-pass-1")
    admin.get_by_role("button", name="Log in").click()
    admin.goto("/admin/quizzes/problemreport/?status__exact=open")
    admin.get_by_role("checkbox").nth(1).check()
    admin.get_by_role("combobox", name="Action").select_option(label="Mark the selected reports resolved")
    admin.get_by_role("button", name="Run").click()
    expect(admin.get_by_text("1 report marked resolved: the trainees see it on My progress.")).to_be_visible()
    admin.watch.assert_clean()
    context.close()

    page.get_by_role("navigation", name="Main").get_by_role("link", name="My progress").click()
    heading_shown(page, "Problems you reported")
    expect(page.get_by_role("listitem").filter(has_text="factual error, reported")).to_contain_text("Resolved on")
    assert_accessible(page)


def test_a_report_from_a_summary_works_without_javascript(page_without_js):
    trainee = make_user()
    quiz = make_quiz(questions=2, title="Renal metastases")
    attempt = attempt_finish(attempt=take_quiz(trainee, quiz, [True, False]))
    log_in(page_without_js, trainee)
    page_without_js.goto(f"/attempts/{attempt.pk}/summary/")
    heading_shown(page_without_js, "Your results")

    page_without_js.get_by_text("Report a problem with this question").first.click()
    fill_report(page_without_js, "Image problem", "The arrow points at the wrong rib.")

    heading_shown(page_without_js, "Your results")
    expect(page_without_js.get_by_text(re.compile("Thank you: your report on question 1 was sent"))).to_be_visible()
    assert ProblemReport.objects.get().reason == "image"
