"""The site's layout in the browser: the header, phones (no sideways scrolling), wide screens (the image
beside the question), the theme switch and answering from the keyboard."""

import re

import pytest
from django.core.management import call_command
from playwright.sync_api import expect

from quizzes.models import Attempt, Quiz
from quizzes.services.attempts import answer_submit, attempt_finish, attempt_start
from tests.browser.conftest import make_page
from tests.browser.test_bundled_quizzes import answer_anyhow, answer_control, log_in
from tests.browser.test_trainee_loop import heading_shown
from tests.factories import make_quiz, make_user, questions_of, take_quiz

pytestmark = pytest.mark.django_db(transaction=True)

PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1366, "height": 900}


@pytest.fixture
def trainee(db):
    return make_user(username="ada", display_name="Dr Ada")


@pytest.fixture
def trainee_pages(trainee):
    """Every page a trainee sees, by name, as the trainee with a history: a finished quiz (summary, progress,
    leaderboard), an answer with a confidence (calibration), a quiz under way (a question, a feedback) and an exam under way (a question, its review)."""
    quiz = make_quiz(questions=3, title="Cannonball metastases with a long title that wraps on a phone")
    finished = attempt_finish(attempt=take_quiz(trainee, quiz, [True, False, True]))
    sure = attempt_start(user=trainee, quiz=make_quiz(questions=1, title="Calibrated"))
    answer_submit(attempt=sure, question=questions_of(sure.quiz)[0], confidence="high")  # My progress's calibration
    under_way = take_quiz(trainee, make_quiz(questions=2, title="Adrenal metastases"), [False])
    first, second = questions_of(under_way.quiz)
    exam = attempt_start(user=trainee, quiz=make_quiz(questions=2, exam_minutes=20), mode=Attempt.Mode.EXAM)
    exam_question = questions_of(exam.quiz)[0]
    return {
        "home": "/",
        "quiz page": quiz.get_absolute_url(),
        "question": f"/attempts/{under_way.pk}/questions/{second.pk}/",
        "feedback": f"/attempts/{under_way.pk}/questions/{first.pk}/",
        "exam question": f"/attempts/{exam.pk}/exam/{exam_question.pk}/",
        "exam review": f"/attempts/{exam.pk}/exam/review/",
        "summary": f"/attempts/{finished.pk}/summary/",
        "progress": "/progress/",
        "leaderboard": "/leaderboard/",
        "scoring": "/scoring/",
    }


def open_report_form(page):
    page.get_by_text("Report a problem with this question").first.click()


def assert_fits(page, width):
    scroll_width = page.evaluate("document.documentElement.scrollWidth")
    assert scroll_width <= width, f"{page.url} lays out at {scroll_width} px"


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
    context, page = make_page(browser, live_server, java_script_enabled=javascript, viewport=DESKTOP)
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


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_on_a_phone_no_page_scrolls_sideways(browser, live_server, trainee, trainee_pages, assert_accessible, scheme):
    context, page = make_page(browser, live_server, color_scheme=scheme)
    page.set_viewport_size(PHONE)
    for name in ("signup", "login"):
        page.goto(f"/accounts/{name}/")
        assert_fits(page, PHONE["width"])
        assert_accessible(page)
    page.set_viewport_size(DESKTOP)  # log_in sees the Log out button, which a phone keeps in the menu
    log_in(page, trainee)
    page.set_viewport_size(PHONE)
    for url in trainee_pages.values():
        page.goto(url)
        assert_fits(page, PHONE["width"])
        assert_accessible(page)
    page.goto(trainee_pages["feedback"])
    open_report_form(page)
    assert_fits(page, PHONE["width"])
    assert_accessible(page)
    page.watch.assert_clean()
    context.close()


def bottom_of(locator):
    box = locator.bounding_box()
    return box["y"] + box["height"]


def test_on_a_wide_screen_every_bundled_image_question_shows_its_answers_without_scrolling(
    browser, live_server, trainee, assert_accessible
):
    call_command("load_content", verbosity=0)
    context, page = make_page(browser, live_server, viewport=DESKTOP)
    log_in(page, trainee)
    seen = earlier_shown = 0
    for quiz in Quiz.objects.published().with_question_count():
        page.goto(quiz.get_absolute_url())
        page.get_by_role("button", name="Start quiz").click()
        earlier_images = []
        for number in range(1, quiz.question_count + 1):
            heading_shown(page, f"Question {number} of {quiz.question_count}")
            for alt in earlier_images:  # a case's later stages keep its earlier images in view
                expect(
                    page.get_by_role("list", name="Images from earlier stages").get_by_role("img", name=alt)
                ).to_be_visible()
                earlier_shown += 1
            if quiz.is_case and page.locator("[data-viewer-image]").count():
                earlier_images.append(page.locator("[data-viewer-image]").get_attribute("alt"))
            if page.locator("[data-hotspot-form]").count():
                # A hotspot question is answered on its image: all of it shows, and the way to submit.
                image = page.locator("[data-hotspot-image]")
                assert bottom_of(image) <= DESKTOP["height"], f"{quiz.title} {number}: image {bottom_of(image)}"
                seen += 1
            elif page.locator("[data-viewer-image]").count():
                last = answer_control(page)
                assert bottom_of(last) <= DESKTOP["height"], f"{quiz.title} {number}: answers end at {bottom_of(last)}"
                seen += 1
            answer_anyhow(page)
            page.get_by_role("button", name="Submit answer").click()
            expect(page.get_by_role("heading", name=re.compile("^(Correct|Incorrect)$"))).to_be_focused()
            if number < quiz.question_count:
                page.get_by_role("link", name="Next question").click()
    assert seen == 14  # every image question of the bundled quizzes
    assert earlier_shown, "a bundled case has an image in an earlier stage"
    page.watch.assert_clean()
    context.close()


def background(page):
    return page.evaluate("getComputedStyle(document.documentElement).backgroundColor")


LIGHT_PAPER, DARK_PAPER = "rgb(255, 255, 255)", "rgb(15, 18, 22)"


def test_the_theme_follows_the_os_until_the_trainee_chooses_and_the_choice_is_remembered(
    browser, live_server, trainee, assert_accessible
):
    context, page = make_page(browser, live_server, color_scheme="dark")
    page.goto("/scoring/")
    assert background(page) == DARK_PAPER  # the OS prefers dark, and no choice was made
    expect(page.get_by_role("button", name="Dark theme")).to_have_attribute("aria-pressed", "true")
    page.watch.assert_clean()
    context.close()

    context, page = make_page(browser, live_server, color_scheme="light")
    log_in(page, trainee)
    page.goto("/scoring/")  # a page without an image
    assert background(page) == LIGHT_PAPER
    switch = page.get_by_role("button", name="Dark theme")
    switch.focus()
    page.keyboard.press("Enter")
    expect(switch).to_have_attribute("aria-pressed", "true")
    assert background(page) == DARK_PAPER
    page.reload()
    assert background(page) == DARK_PAPER
    assert_accessible(page)
    page.get_by_role("link", name="My progress").click()
    expect(page.get_by_role("heading", name="My progress", level=1)).to_be_visible()
    assert background(page) == DARK_PAPER
    page.get_by_role("button", name="Dark theme").click()  # and back
    expect(page.get_by_role("button", name="Dark theme")).to_have_attribute("aria-pressed", "false")
    page.reload()
    assert background(page) == LIGHT_PAPER
    page.watch.assert_clean()
    context.close()


def test_a_skip_link_leads_to_the_question_and_link_buttons_match_buttons(page, trainee, trainee_pages):
    log_in(page, trainee)
    page.goto("/")
    link_height = page.get_by_role("link", name="Continue Adrenal metastases").bounding_box()["height"]
    assert link_height == page.get_by_role("button", name="Practise my mistakes").bounding_box()["height"]

    page.goto(trainee_pages["question"])
    page.keyboard.press("Tab")
    page.keyboard.press("Tab")
    expect(page.get_by_role("link", name="Skip to the question")).to_be_focused()
    page.keyboard.press("Enter")
    page.keyboard.press("Tab")
    expect(page.locator('input[name="answer"]').first).to_be_focused()


def test_a_quiz_is_answered_with_number_keys_and_enter_alone(page, trainee, assert_accessible):
    quiz = make_quiz(questions=2, title="Keyboard quiz")
    log_in(page, trainee)
    page.goto(quiz.get_absolute_url())
    page.get_by_role("button", name="Start quiz").click()
    heading_shown(page, "Question 1 of 2")
    expect(page.get_by_text("Keys: 1-4 choose, Enter submits.")).to_be_visible()
    assert_accessible(page)
    right = page.locator(".option", has_text="Right 1").locator("input")
    position = page.locator('input[name="answer"]').evaluate_all(
        "(options) => options.findIndex((option) => option.labels[0].textContent.includes('Right 1'))"
    )
    page.keyboard.press(str(position + 1))
    expect(right).to_be_checked()
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", name="Correct")).to_be_focused()

    # Typing in a field (the problem report's note) neither chooses nor goes on.
    page.get_by_text("Report a problem with this question").click()
    note = page.get_by_label("Your note for the educators")
    note.click()
    page.keyboard.type("1")
    page.keyboard.press("Enter")
    expect(note).to_have_value("1\n")
    expect(page.get_by_role("heading", name="Question 1 of 2")).to_be_visible()

    page.get_by_role("heading", name="Correct").focus()
    page.keyboard.press("Enter")  # goes on
    heading_shown(page, "Question 2 of 2")
    expect(page.get_by_text("Keys: 1-4 choose, Enter submits.")).to_be_visible()  # the new form is set up
    page.keyboard.press("1")
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", name=re.compile("^(Correct|Incorrect)$"))).to_be_focused()
