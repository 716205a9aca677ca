"""An educator writes a question in the admin and publishes it; a trainee then answers it."""

import re

import pytest
from PIL import Image
from playwright.sync_api import expect

from quizzes.models import Question, Quiz, Topic
from quizzes.services.educators import educator_create
from tests.browser.conftest import make_page
from tests.browser.test_bundled_quizzes import log_in
from tests.browser.test_trainee_loop import heading_shown
from tests.factories import make_source, make_user

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def draft_quiz(db):
    make_source(title="Pulmonary metastases", publisher="Radiopaedia")
    topic = Topic.objects.create(name="Pulmonary metastases", slug="pulmonary-metastases")
    return Quiz.objects.create(title="Nodule patterns", slug="nodule-patterns", topic=topic)


def schematic_png(path):
    Image.new("RGB", (300, 200), (30, 30, 30)).save(path, format="PNG")
    return path


def test_an_educator_writes_and_publishes_a_question_that_a_trainee_answers(
    browser, live_server, page, draft_quiz, tmp_path, assert_accessible
):
    educator = educator_create(username="teacher", password="a-long-educator-pass-1")
    page.goto("/admin/login/")
    page.get_by_label("Username").fill("teacher")
    page.get_by_label("Password").fill("a-long-educator-pass-1")
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_role("heading", name="Questions, quizzes and cohorts")).to_be_visible()

    page.goto("/admin/quizzes/question/add/")
    page.get_by_label("Quiz:").select_option(label="Nodule patterns")
    page.get_by_label(re.compile("^Single best answer:")).check()
    page.get_by_role("button", name="Continue").click()
    page.get_by_label("Key:").fill("cavitating-primary")
    page.get_by_label("Stem:").fill("A cavitating pulmonary metastasis most often comes from which tumour type?")
    page.locator("#id_image").set_input_files(str(schematic_png(tmp_path / "cavity.png")))
    page.get_by_label("Image alt text:").fill("Schematic illustration, not a patient image: a thick-walled cavity")
    page.get_by_label("Explanation:").fill("Cavitation is most typical of **squamous cell carcinoma**.")
    page.get_by_label("Learning point:").fill("Think squamous when a metastasis cavitates.")
    page.get_by_label("Sources:").select_option(index=0)
    options = [("Squamous cell carcinoma", True), ("Adenocarcinoma", False), ("Osteosarcoma", False)]
    for index, (text, right) in enumerate(options):
        page.locator(f"#id_choices-{index}-text").fill(text)
        page.locator(f"#id_choices-{index}-rationale").fill(
            f"{text}: {'the usual source' if right else 'not the usual source'}."
        )
        if right:
            page.locator(f"#id_choices-{index}-is_correct").check()
    page.get_by_role("button", name="Save", exact=True).click()
    expect(page.get_by_text(re.compile("was added successfully"))).to_be_visible()
    expect(page.get_by_role("heading", name=re.compile("Change quiz"))).to_be_visible()  # back to its quiz
    question = Question.objects.get(key="cavitating-primary")
    assert question.choices.count() == 3 and question.thumbnail and question.sources.exists()

    page.goto(f"/admin/quizzes/quiz/{draft_quiz.pk}/change/")
    page.get_by_label("Status:").select_option(label="Published")
    page.get_by_role("button", name="Save", exact=True).click()
    expect(page.get_by_text(re.compile("was changed successfully"))).to_be_visible()
    assert educator.is_staff

    trainee_context, trainee_page = make_page(browser, live_server)
    log_in(trainee_page, make_user())
    trainee_page.get_by_role("link", name="Nodule patterns").click()
    trainee_page.get_by_role("button", name="Start quiz").click()
    heading_shown(trainee_page, "Question 1 of 1")
    expect(trainee_page.get_by_role("img", name=re.compile("thick-walled cavity"))).to_be_visible()
    assert_accessible(trainee_page)
    trainee_page.get_by_label("Squamous cell carcinoma").check()
    trainee_page.get_by_role("button", name="Submit answer").click()
    expect(trainee_page.get_by_role("heading", name="Correct")).to_be_focused()
    expect(trainee_page.get_by_text("Adenocarcinoma: not the usual source.")).to_be_visible()
    trainee_page.watch.assert_clean()
    trainee_context.close()
