"""The question form by kind: the chooser first, only the kind's fields, a stage only in case quizzes,
changing kind; an image kept across a refused save and used by the next one."""

import re

import pytest
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from quizzes.images import image_prepare
from quizzes.kept_uploads import upload_keep
from quizzes.models import Question, Quiz
from tests.factories import make_hotspot_question, make_question, make_quiz, png_bytes, take_quiz
from tests.test_admin import ADD_QUESTION, ELLIPSE_REGION, change_form_of, hotspot_form, png_upload, question_form

pytestmark = pytest.mark.django_db


def add_url(**query) -> str:
    return ADD_QUESTION + "?" + "&".join(f"{key}={value}" for key, value in query.items())


def kept_token(page: str) -> str:
    return re.search(r'name="image_kept" value="([^"]+)"', page).group(1)


# --- The chooser --------------------------------------------------------------------------------------


def test_adding_a_question_starts_by_choosing_its_kind_with_the_quiz_chosen_from_its_page(educator_client):
    quiz = make_quiz(questions=0, title="Nodules")

    page = educator_client.get(add_url(quiz=quiz.pk)).content.decode()

    assert "Add a question: choose its kind" in page and 'name="stem"' not in page
    for label in ["Single best answer", "Multiple select", "True or false", "Click on the image (hotspot)"]:
        assert label in page
    assert f'<option value="{quiz.pk}" selected>Nodules</option>' in page
    assert '<ol class="breadcrumbs">' in page and f'href="/admin/quizzes/quiz/{quiz.pk}/change/">Nodules' in page


def test_the_chooser_sent_without_a_kind_asks_for_one(educator_client):
    quiz = make_quiz(questions=0)

    page = educator_client.get(ADD_QUESTION, {"quiz": quiz.pk, "_start": "Continue"}).content.decode()

    assert "Choose the kind of question to write." in page and 'name="stem"' not in page


def test_a_trainee_cannot_reach_the_chooser(trainee_client):
    response = trainee_client.get(ADD_QUESTION)

    assert response.status_code == 302 and "/admin/login/" in response["Location"]


# --- Fields by kind -----------------------------------------------------------------------------------


def test_a_hotspot_form_has_the_image_and_region_editor_and_no_option_rows(educator_client):
    page = educator_client.get(add_url(quiz=make_quiz(questions=0).pk, kind="hotspot")).content.decode()

    assert 'name="image"' in page and 'name="image_alt"' in page and 'name="allow_no_abnormality"' in page
    assert "data-hotspot-editor" in page and 'data-image-input="id_image"' in page
    assert "choices-TOTAL_FORMS" not in page


@pytest.mark.parametrize("kind", ["single", "multiple", "true_false"])
def test_a_choice_form_has_option_rows_and_no_hotspot_section(educator_client, kind):
    page = educator_client.get(add_url(quiz=make_quiz(questions=0).pk, kind=kind)).content.decode()

    assert "choices-TOTAL_FORMS" in page and 'name="image"' in page
    assert "data-hotspot-editor" not in page and 'name="allow_no_abnormality"' not in page


def test_a_case_stage_is_asked_only_in_a_case_quiz(educator_client):
    case = make_quiz(questions=1, kind=Quiz.Kind.CASE)
    standard = make_quiz(questions=1)

    assert 'name="stage"' in educator_client.get(add_url(quiz=case.pk, kind="single")).content.decode()
    assert 'name="stage"' not in educator_client.get(add_url(quiz=standard.pk, kind="single")).content.decode()
    assert 'name="stage"' not in educator_client.get(add_url(kind="single")).content.decode()
    case_question = reverse("admin:quizzes_question_change", args=[case.questions.get().pk])
    assert 'name="stage"' in educator_client.get(case_question).content.decode()


def test_a_hidden_stage_is_left_as_it_was_by_a_save(educator_client):
    quiz = make_quiz(questions=0)
    question = make_question(quiz=quiz, stage="An old stage.")
    response = educator_client.post(
        reverse("admin:quizzes_question_change", args=[question.pk]), change_form_of(question)
    )

    assert response.status_code == 302, response.content.decode()[:2000]
    question.refresh_from_db()
    assert question.stage == "An old stage."


# --- Changing kind -------------------------------------------------------------------------------------


def test_change_kind_shows_the_other_kinds_form_and_saving_keeps_the_new_kind(educator_client):
    quiz = make_quiz(questions=0)
    question = make_question(quiz=quiz, options=[("True", True), ("False", False)])
    url = reverse("admin:quizzes_question_change", args=[question.pk])

    page = educator_client.get(url).content.decode()
    assert '<form id="kind-switch" method="get"></form>' in page and "Change kind" in page
    assert '<option value="single" selected>' in page

    other = educator_client.get(url, {"kind": "true_false"}).content.decode()
    assert '<option value="true_false" selected>' in other and "choices-TOTAL_FORMS" in other
    response = educator_client.post(f"{url}?kind=true_false", change_form_of(question))

    assert response.status_code == 302, response.content.decode()[:2000]
    question.refresh_from_db()
    assert question.kind == Question.Kind.TRUE_FALSE


def test_a_choice_question_made_a_hotspot_question_loses_its_options_and_gains_its_regions(
    educator_client, django_capture_on_commit_callbacks
):
    quiz = make_quiz(questions=0)
    question = make_question(quiz=quiz)
    url = reverse("admin:quizzes_question_change", args=[question.pk])
    data = hotspot_form(quiz, [ELLIPSE_REGION], key=question.key, sources=[question.sources.first().pk])

    with django_capture_on_commit_callbacks(execute=True):
        response = educator_client.post(f"{url}?kind=hotspot", data, follow=True)

    assert "Its options were removed: a hotspot question has none." in response.content.decode()
    question.refresh_from_db()
    assert question.is_hotspot and question.image and not question.choices.exists()
    assert [region.shape for region in question.regions.all()] == ["ellipse"]


def test_a_hotspot_question_made_a_choice_question_loses_its_regions(educator_client):
    quiz = make_quiz(questions=0)
    question = make_hotspot_question(quiz=quiz, allow_no_abnormality=True)
    url = reverse("admin:quizzes_question_change", args=[question.pk])
    data = question_form(quiz, key=question.key, image_alt=question.image_alt) | {
        "sources": [source.pk for source in question.sources.all()]
    }

    response = educator_client.post(f"{url}?kind=single", data)

    assert response.status_code == 302, response.content.decode()[:2000]
    question.refresh_from_db()
    assert question.kind == Question.Kind.SINGLE and question.image and question.choices.count() == 2
    assert not question.regions.exists() and not question.allow_no_abnormality


def test_the_kind_of_a_question_trainees_answered_cannot_change(educator_client, trainee):
    quiz = make_quiz(questions=1)
    take_quiz(trainee, quiz, [True])
    question = quiz.questions.get()
    url = reverse("admin:quizzes_question_change", args=[question.pk])
    assert "Change kind" not in educator_client.get(url).content.decode()

    page = educator_client.post(f"{url}?kind=multiple", change_form_of(question)).content.decode()

    assert "Trainees have answered this question, so its kind cannot change" in page
    question.refresh_from_db()
    assert question.kind == Question.Kind.SINGLE


# --- The image kept across a refused save ---------------------------------------------------------------


def test_a_refused_save_keeps_the_image_and_the_next_save_uses_it(educator_client, django_capture_on_commit_callbacks):
    quiz = make_quiz(questions=1)
    upload = png_upload("cavity.png", size=(90, 60))
    expected = image_prepare(upload.read(), "cavity.png").image.read()
    upload.seek(0)
    url = add_url(quiz=quiz.pk, kind="single")

    refused = educator_client.post(
        url, question_form(quiz, options=[("Only one", True)], image=upload, image_alt="A cavity")
    ).content.decode()

    assert "at least two options" in refused
    assert "Kept from your last try: <strong>cavity.png</strong>" in refused
    token = kept_token(refused)
    (held,) = default_storage.listdir("pending")[1]
    with django_capture_on_commit_callbacks(execute=True):
        response = educator_client.post(url, question_form(quiz, image_alt="A cavity") | {"image_kept": token})

    assert response.status_code == 302, response.content.decode()[:2000]
    question = Question.objects.get(key="new-question")
    with question.image.open("rb") as stored:
        assert stored.read() == expected
    assert question.thumbnail and held not in default_storage.listdir("pending")[1]


def test_a_new_file_replaces_the_kept_one(educator_client, django_capture_on_commit_callbacks):
    quiz = make_quiz(questions=1)
    kept = upload_keep(filename="old.png", data=png_bytes(colour="black"))
    new = png_upload("new.png")
    expected = image_prepare(new.read(), "new.png").image.read()
    new.seek(0)

    with django_capture_on_commit_callbacks(execute=True):
        educator_client.post(ADD_QUESTION, question_form(quiz, image=new, image_alt="New") | {"image_kept": kept.token})

    with Question.objects.get(key="new-question").image.open("rb") as stored:
        assert stored.read() == expected


def test_an_image_that_is_not_one_is_not_kept(educator_client):
    quiz = make_quiz(questions=1)
    data = question_form(quiz, image_alt="Alt") | {"image": SimpleUploadedFile("notes.png", b"not an image")}

    page = educator_client.post(ADD_QUESTION, data).content.decode()

    assert "not an image" in page and "Kept from your last try" not in page


def test_a_hotspot_question_saved_with_an_image_and_no_regions_keeps_the_image_and_says_what_next(educator_client):
    quiz = make_quiz(questions=1)

    page = educator_client.post(add_url(quiz=quiz.pk, kind="hotspot"), hotspot_form(quiz, [])).content.decode()

    assert "needs at least one target region" in page
    assert "The image you chose is kept. Draw the target on the image with “Draw ellipse”" in page
    token = kept_token(page)
    editor_image = reverse("admin:quizzes_question_kept_image") + "?token="
    assert f'data-image-url="{editor_image}' in page and token in page
    assert not Question.objects.filter(key="new-question").exists()


def test_the_region_editor_is_shown_the_kept_image_re_encoded_and_only_with_its_token(educator_client):
    data = png_bytes(size=(40, 30)) + b"<script>alert(1)</script>"
    kept = upload_keep(filename="lesion.png", data=data)
    url = reverse("admin:quizzes_question_kept_image")

    response = educator_client.get(url, {"token": kept.token})

    assert response.status_code == 200 and response["Content-Type"] == "image/png"
    assert response.content == image_prepare(data, "lesion.png").image.read() and b"<script>" not in response.content
    assert "sandbox" in response["Content-Security-Policy"]
    assert educator_client.get(url, {"token": kept.token + "x"}).status_code == 404


def test_a_trainee_is_not_shown_a_kept_image(trainee_client):
    kept = upload_keep(filename="lesion.png", data=png_bytes())

    response = trainee_client.get(reverse("admin:quizzes_question_kept_image"), {"token": kept.token})

    assert response.status_code == 302 and "/admin/login/" in response["Location"]


def test_the_question_form_may_show_a_chosen_image_before_it_is_uploaded(educator_client):
    response = educator_client.get(add_url(quiz=make_quiz(questions=0).pk, kind="hotspot"))

    assert "img-src 'self' blob:" in response["Content-Security-Policy"]


# --- From the quiz and back -----------------------------------------------------------------------------


def test_a_question_added_from_its_quiz_leads_back_to_the_quiz(educator_client):
    quiz = make_quiz(questions=1)

    response = educator_client.post(add_url(quiz=quiz.pk, kind="single"), question_form(quiz), follow=True)

    assert response.redirect_chain[-1][0] == reverse("admin:quizzes_quiz_change", args=[quiz.pk])
    assert "The question “new-question” was added successfully." in response.content.decode()


def test_save_and_add_another_from_a_quiz_chooses_the_next_questions_kind_for_the_same_quiz(educator_client):
    quiz = make_quiz(questions=1)

    response = educator_client.post(add_url(quiz=quiz.pk, kind="single"), question_form(quiz) | {"_addanother": "1"})

    assert response["Location"] == f"{ADD_QUESTION}?quiz={quiz.pk}"


def test_regions_posted_as_json_are_saved_with_a_new_hotspot_question_in_one_pass(educator_client):
    quiz = make_quiz(questions=1)

    response = educator_client.post(add_url(quiz=quiz.pk, kind="hotspot"), hotspot_form(quiz, [ELLIPSE_REGION]))

    assert response.status_code == 302
    question = Question.objects.get(key="new-question")
    assert question.is_hotspot and question.regions.get().geometry == ELLIPSE_REGION["geometry"]
