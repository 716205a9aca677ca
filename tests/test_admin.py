"""Authoring in the admin: question rules, images, preview, duplication, who may do what."""

import io

import pytest
from django.contrib.auth.models import Permission
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.test import Client
from django.urls import reverse
from PIL import Image

from quizzes.models import AcceptedAnswer, Attempt, BankImport, Choice, Question, Quiz, Response, Source, Tag, User
from quizzes.rich_text import MAX_CHARS, MAX_DEPTH
from quizzes.services.attempts import attempt_finish, attempt_start
from quizzes.services.educators import EDUCATORS, educator_create
from quizzes.services.practice import mistakes_start
from tests.factories import make_question, make_quiz, questions_of, take_quiz

pytestmark = pytest.mark.django_db
ADD_QUESTION = reverse("admin:quizzes_question_add")


def png_upload(name="lesion.png", size=(60, 40), trailer=b""):
    buffer = io.BytesIO()
    Image.new("RGB", size, "gray").save(buffer, format="PNG")
    return SimpleUploadedFile(name, buffer.getvalue() + trailer, content_type="image/png")


def empty_inline(prefix, initial=0):
    """The management form of an inline with `initial` saved rows and no new one."""
    return {
        f"{prefix}-TOTAL_FORMS": initial,
        f"{prefix}-INITIAL_FORMS": initial,
        f"{prefix}-MIN_NUM_FORMS": 0,
        f"{prefix}-MAX_NUM_FORMS": 1000,
    }


def question_form(quiz, kind="single", options=(("Right", True), ("Wrong", False)), **fields):
    data = {
        "quiz": quiz.pk,
        "key": "new-question",
        "order": 1,
        "kind": kind,
        "status": "published",
        "stage": "",
        "stem": "Which one?",
        "image_alt": "",
        "explanation": "Because.",
        "learning_point": "Remember this.",
        "sources": [quiz.questions.first().sources.first().pk],
        "choices-TOTAL_FORMS": len(options),
        "choices-INITIAL_FORMS": 0,
        "choices-MIN_NUM_FORMS": 0,
        "choices-MAX_NUM_FORMS": 1000,
        **empty_inline("accepted_answers"),
        **empty_inline("match_stems"),
    }
    for index, (text, is_correct) in enumerate(options):
        data |= {
            f"choices-{index}-text": text,
            f"choices-{index}-rationale": f"Why {text}.",
            f"choices-{index}-order": index,
        }
        if is_correct:
            data[f"choices-{index}-is_correct"] = "on"
    return data | fields


def test_an_educator_adds_a_valid_question_with_its_options(educator_client):
    quiz = make_quiz(questions=1)

    response = educator_client.post(
        ADD_QUESTION, question_form(quiz, options=[("A", True), ("B", False), ("C", False)])
    )

    assert response.status_code == 302, response.content.decode()[:3000]
    question = Question.objects.get(key="new-question")
    assert [(c.text, c.is_correct) for c in question.choices.all()] == [("A", True), ("B", False), ("C", False)]


@pytest.mark.parametrize(
    ("kind", "options", "message"),
    [
        ("single", [("A", True), ("B", True)], "exactly one right option, not 2"),
        ("single", [("A", False), ("B", False)], "exactly one right option, not 0"),
        ("single", [("A", True)], "at least two options"),
        ("multiple", [("A", False), ("B", False), ("C", False)], "at least one right option"),
        ("true_false", [("True", True), ("False", False), ("Maybe", False)], "exactly two options, True and False"),
        ("true_false", [("True", True), ("False", True)], "exactly one right option"),
    ],
)
def test_a_broken_question_is_refused_with_a_clear_message_and_nothing_saved(educator_client, kind, options, message):
    quiz = make_quiz(questions=1)

    response = educator_client.post(ADD_QUESTION, question_form(quiz, kind=kind, options=options))

    assert response.status_code == 200
    assert message in response.content.decode()
    assert not Question.objects.filter(key="new-question").exists()


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"stem": "x" * (MAX_CHARS + 1)}, "rich text may be at most"),
        ({"explanation": "".join("  " * depth + "- level\n" for depth in range(MAX_DEPTH + 3))}, "nests lists"),
        ({"choices-0-rationale": "> " * (MAX_DEPTH + 3) + "quoted"}, "nests lists or block quotes"),
    ],
    ids=["stem too long", "explanation nested too deep", "rationale nested too deep"],
)
def test_rich_text_past_the_render_limits_is_refused_by_the_admin_and_nothing_saved(educator_client, fields, message):
    quiz = make_quiz(questions=1)

    response = educator_client.post(ADD_QUESTION, question_form(quiz) | fields)

    assert response.status_code == 200
    assert message in response.content.decode()
    assert not Question.objects.filter(key="new-question").exists()


def test_an_uploaded_image_is_re_encoded_with_a_thumbnail(educator_client, django_capture_on_commit_callbacks):
    quiz = make_quiz(questions=1)
    upload = png_upload(trailer=b"<script>alert(1)</script>")  # junk after the image data

    with django_capture_on_commit_callbacks(execute=True):
        response = educator_client.post(
            ADD_QUESTION, question_form(quiz, image=upload, image_alt="Schematic of a nodule")
        )

    assert response.status_code == 302
    question = Question.objects.get(key="new-question")
    assert question.thumbnail and question.image_alt == "Schematic of a nodule"
    with question.image.open("rb") as stored:
        assert b"<script>" not in stored.read()


@pytest.mark.parametrize(
    ("upload", "alt", "message"),
    [
        (SimpleUploadedFile("notes.png", b"not an image at all"), "Alt", "not an image"),
        (SimpleUploadedFile("evil.png", b"\x89PNG\r\n\x1a\n<html></html>"), "Alt", "not an image"),
        (None, "", "alt text is required"),
    ],
)
def test_a_bad_image_or_missing_alt_text_is_refused(educator_client, upload, alt, message):
    quiz = make_quiz(questions=1)
    form = question_form(quiz, image=upload or png_upload(), image_alt=alt)

    response = educator_client.post(ADD_QUESTION, form)

    assert response.status_code == 200 and message in response.content.decode()
    assert not Question.objects.filter(key="new-question").exists()


def test_a_question_without_a_source_saves_and_its_preview_cites_its_author(educator_client, educator):
    User.objects.filter(pk=educator.pk).update(department="Radiology")
    form = question_form(make_quiz(questions=1))
    del form["sources"]

    response = educator_client.post(ADD_QUESTION, form)

    assert response.status_code == 302, response.content.decode()[:3000]
    question = Question.objects.get(key="new-question")
    assert not question.sources.exists() and question.author == educator
    preview = reverse("admin:quizzes_question_preview", args=[question.pk])
    feedback = educator_client.post(preview, {"answer": "A"}).content.decode()
    assert '<p class="citation">Written by Dr Teacher, Radiology</p>' in feedback and "teacher" not in feedback


def test_editing_a_question_keeps_its_author(educator_client, educator):
    quiz = make_quiz(questions=1)
    educator_client.post(ADD_QUESTION, question_form(quiz))
    question = Question.objects.get(key="new-question")
    colleague = educator_create(username="colleague", password="a-long-educator-pass-2", display_name="Dr Other")
    educator_client.force_login(colleague)

    educator_client.post(
        reverse("admin:quizzes_question_change", args=[question.pk]), question_form(quiz, stem="Reworded?")
    )

    question.refresh_from_db()
    assert question.stem == "Reworded?" and question.author == educator


def test_the_admin_edits_a_users_department_beside_the_display_name(admin_client, educator):
    url = reverse("admin:quizzes_user_change", args=[educator.pk])
    page = admin_client.get(url).content.decode()

    assert 'name="display_name"' in page and 'name="department"' in page


def test_preview_shows_the_question_as_a_trainee_sees_it_and_records_nothing(educator_client):
    quiz = make_quiz(questions=1)
    question = quiz.questions.get()
    url = reverse("admin:quizzes_question_preview", args=[question.pk])

    page = educator_client.get(url).content.decode()
    assert "Stem of question 1?" in page and "Submit answer" in page and "Rationale for" not in page

    letters = "ABCD"
    feedback = "".join(educator_client.post(url, {"answer": letter}).content.decode() for letter in letters)
    assert "Correct" in feedback and "Rationale for Right 1" in feedback
    assert not Response.objects.exists()


def test_duplicate_action_copies_questions_with_their_options(educator_client):
    quiz = make_quiz(questions=1)
    question = quiz.questions.get()

    educator_client.post(
        reverse("admin:quizzes_question_changelist"),
        {"action": "duplicate_questions", "_selected_action": [question.pk]},
    )

    copy = Question.objects.exclude(pk=question.pk).get()
    assert copy.key == f"{question.key}-copy" and copy.quiz == quiz
    assert list(copy.choices.values_list("text", "is_correct")) == list(
        question.choices.values_list("text", "is_correct")
    )


def test_duplicating_a_quiz_makes_a_draft_copy(educator_client):
    quiz = make_quiz(questions=2)

    educator_client.post(
        reverse("admin:quizzes_quiz_changelist"), {"action": "duplicate_quizzes", "_selected_action": [quiz.pk]}
    )

    copy = Quiz.objects.get(slug=f"{quiz.slug}-copy")
    assert copy.status == Quiz.Status.DRAFT and copy.questions.count() == 2
    assert Choice.objects.filter(question__quiz=copy).count() == 8


def test_the_quiz_page_lists_its_questions_in_order(educator_client):
    quiz = make_quiz(questions=3)

    page = educator_client.get(reverse("admin:quizzes_quiz_change", args=[quiz.pk])).content.decode()

    assert page.index("Stem of question 1?") < page.index("Stem of question 2?") < page.index("Stem of question 3?")


def test_the_question_list_filters_and_searches(educator_client):
    quiz = make_quiz(questions=0)
    make_question(quiz=quiz, stem="Cannonball pattern?")
    make_question(
        quiz=make_quiz(questions=0), kind="true_false", options=[("True", True), ("False", False)], stem="Halo sign?"
    )
    changelist = reverse("admin:quizzes_question_changelist")

    assert "Halo sign" not in educator_client.get(changelist, {"q": "cannonball"}).content.decode()
    assert "Cannonball" not in educator_client.get(changelist, {"kind": "true_false"}).content.decode()
    page = educator_client.get(changelist).content.decode()
    for title in ["By topic", "By quiz", "By kind", "By status", "By sources"]:
        assert title in page


def test_the_question_list_filters_by_tag_and_tags_are_edited_on_the_question(educator_client):
    quiz = make_quiz(questions=0)
    tagged = make_question(quiz=quiz, order=1, stem="Cannonball pattern?")
    make_question(quiz=quiz, order=2, stem="Halo sign?")
    chest = Tag.objects.create(name="Chest", slug="chest")
    tagged.tags.add(chest)
    changelist = reverse("admin:quizzes_question_changelist")

    page = educator_client.get(changelist, {"tags__id__exact": chest.pk}).content.decode()

    assert "By tags" in page and "Cannonball" in page and "Halo sign" not in page
    form = educator_client.get(reverse("admin:quizzes_question_change", args=[tagged.pk])).content.decode()
    assert 'name="tags"' in form and 'name="idnumber"' in form


def test_the_educators_group_holds_exactly_the_authoring_and_results_permissions(educator):
    codenames = set(Permission.objects.filter(group__name=EDUCATORS).values_list("codename", flat=True))

    for model in ["topic", "source", "quiz", "question", "choice", "acceptedanswer", "matchstem"]:
        assert {f"add_{model}", f"change_{model}", f"delete_{model}", f"view_{model}"} <= codenames
    assert {"view_attempt", "view_response"} <= codenames
    assert not any(
        code.endswith("_user") or code.endswith("_group") or code.endswith("_permission") for code in codenames
    )
    assert not {"change_attempt", "delete_response", "add_response"} & codenames
    assert educator.is_staff and not educator.is_superuser


def test_educators_see_each_attempts_kind_mode_and_whether_it_counts(educator_client):
    trainee = User.objects.create_user("reviewed", password="a-long-test-password")
    quiz = make_quiz(title="Ranked quiz", exam_minutes=10)
    attempt_finish(attempt=attempt_start(user=trainee, quiz=quiz, mode=Attempt.Mode.EXAM))
    take_quiz(trainee, quiz, [False])
    mistakes_start(user=trainee)

    page = educator_client.get(reverse("admin:quizzes_attempt_changelist")).content.decode()
    practice_only = educator_client.get(reverse("admin:quizzes_attempt_changelist"), {"kind__exact": "mistakes"})

    assert "Exam (feedback at the end)" in page and "Practise my mistakes" in page
    assert [a.kind for a in practice_only.context["cl"].result_list] == ["mistakes"]


def test_an_educator_cannot_manage_users(educator_client):
    assert educator_client.get(reverse("admin:quizzes_user_changelist")).status_code == 403
    assert educator_client.get(reverse("admin:auth_group_changelist")).status_code == 403


def test_a_trainee_cannot_reach_the_admin(trainee_client):
    response = trainee_client.get(reverse("admin:quizzes_question_changelist"))

    assert response.status_code == 302 and "/admin/login/" in response["Location"]


def test_create_educator_reads_the_password_from_the_environment(monkeypatch):
    monkeypatch.setenv("EDUCATOR_PASSWORD", "a-scripted-password-42")

    call_command("create_educator", "scripted", display_name="Dr Script", department="Radiology")

    user = User.objects.get(username="scripted")
    assert user.check_password("a-scripted-password-42") and user.groups.filter(name=EDUCATORS).exists()
    assert (user.display_name, user.department) == ("Dr Script", "Radiology")
    assert user.is_staff and not user.is_superuser


def test_create_educator_prompts_for_the_password(monkeypatch):
    answers = iter(["typed-in-password-77", "typed-in-password-77"])
    monkeypatch.delenv("EDUCATOR_PASSWORD", raising=False)
    monkeypatch.setattr("getpass.getpass", lambda prompt: next(answers))

    call_command("create_educator", "prompted")

    assert User.objects.get(username="prompted").check_password("typed-in-password-77")


@pytest.mark.parametrize("password", ["short", "password"])
def test_create_educator_refuses_a_weak_password_and_creates_nobody(monkeypatch, password):
    monkeypatch.setenv("EDUCATOR_PASSWORD", password)

    with pytest.raises(CommandError, match="Password refused"):
        call_command("create_educator", "weak")
    assert not User.objects.filter(username="weak").exists()


def answered_quiz(trainee):
    from quizzes.services.attempts import answer_submit, attempt_finish, attempt_start

    quiz = make_quiz(questions=2)
    attempt = attempt_start(user=trainee, quiz=quiz)
    for question in questions_of(quiz):
        answer_submit(attempt=attempt, question=question, chosen=[c for c in question.choices.all() if c.is_correct])
    attempt_finish(attempt=attempt)
    return quiz


def test_an_educator_sees_the_item_analysis_of_a_quiz(educator_client, trainee):
    quiz = answered_quiz(trainee)

    page = educator_client.get(reverse("admin:quizzes_quiz_analysis", args=[quiz.pk])).content.decode()

    assert "Item analysis" in page and "Cronbach" in page and "Needs review" in page
    assert "Right 1 <strong>(right)</strong>: 1" in page and "Wrong 1a: 0" in page


def test_an_educator_downloads_every_response_as_csv(educator_client, trainee):
    quiz = answered_quiz(trainee)

    response = educator_client.get(reverse("admin:quizzes_quiz_responses_csv", args=[quiz.pk]))

    lines = b"".join(response.streaming_content).decode().strip().splitlines()
    assert response["Content-Type"].startswith("text/csv") and len(lines) == 3
    assert trainee.username in lines[1] and "Right 1" in lines[1] and ",yes," in lines[1]


def test_a_trainee_reaches_neither_the_analysis_nor_the_csv(trainee_client, trainee):
    quiz = answered_quiz(trainee)

    for name in ["admin:quizzes_quiz_analysis", "admin:quizzes_quiz_responses_csv"]:
        response = trainee_client.get(reverse(name, args=[quiz.pk]))
        assert response.status_code == 302 and "/admin/login/" in response["Location"]


def test_staff_without_the_results_permission_are_refused_the_analysis(client, trainee):
    quiz = answered_quiz(trainee)
    staff = User.objects.create_user(username="clerk", password="x-long-password-1", is_staff=True)
    staff.user_permissions.add(Permission.objects.get(codename="view_quiz"))
    client.force_login(staff)

    assert client.get(reverse("admin:quizzes_quiz_analysis", args=[quiz.pk])).status_code == 403
    assert client.get(reverse("admin:quizzes_quiz_responses_csv", args=[quiz.pk])).status_code == 403


FIXTURES = __import__("pathlib").Path(__file__).parent / "fixtures" / "banks"
IMPORT = reverse("admin:quizzes_quiz_import")


def upload(name):
    return SimpleUploadedFile(name, (FIXTURES / name).read_bytes())


def good_gift(button: str) -> dict:
    """The form posting good.gift into a new quiz "imported", with the Dry run or Import button."""
    return {"file": upload("good.gift"), "slug": "imported", "title": "Imported", "topic": "Imports", button: button}


def test_a_dry_run_lists_every_skipped_question_with_its_place_and_warnings_and_saves_nothing(educator_client):
    page = educator_client.post(
        IMPORT,
        {"file": upload("bad.xml"), "slug": "imported", "title": "Imported", "topic": "Imports", "dry_run": "Dry run"},
    ).content.decode()

    assert "Dry run passed" in page and "skipped" in page and "bad.xml, line 14" in page and "(essay)" in page
    assert "as a draft" in page and "has no feedback" in page
    assert not Quiz.objects.exists()


def test_a_dry_run_lists_accepted_answers_with_their_weights_and_each_stem_with_its_option(educator_client):
    page = educator_client.post(
        IMPORT,
        {
            "file": upload("realworld/moodle-shortanswer-and-match.xml"),
            "slug": "imported",
            "title": "Imported",
            "topic": "Imports",
            "dry_run": "Dry run",
        },
    ).content.decode()

    assert "Short answer (typed diagnosis)" in page and "Extended matching" in page
    assert "<li>miliary metastases (100%)</li>" in page and "<li>metastases (50%)</li>" in page
    assert "Several nodules with **thick walls** and air inside → Squamous cell carcinoma" in page
    assert "Colorectal carcinoma (answers no stem)" in page
    assert "Empty matching" in page and "a matching question needs at least 2 stems" in page
    assert not Quiz.objects.exists()


def test_a_file_that_cannot_be_read_is_refused_whole_with_the_reason(educator_client):
    not_xml = SimpleUploadedFile("broken.xml", b"<quiz><question type='multichoice'>")

    page = educator_client.post(
        IMPORT, {"file": not_xml, "slug": "imported", "title": "Imported", "topic": "Imports", "import": "Import"}
    ).content.decode()

    assert "Nothing was saved" in page and "broken.xml" in page
    assert not Quiz.objects.exists() and BankImport.objects.get().state == BankImport.State.FAILED


def test_the_checked_file_is_imported_without_a_second_upload(educator_client):
    educator_client.post(
        IMPORT,
        good_gift("dry_run"),
    )
    job = BankImport.objects.get()
    assert job.state == BankImport.State.CHECKED and not Quiz.objects.exists()

    page = educator_client.post(IMPORT, {"job": job.pk}).content.decode()

    assert "Imported 1 quiz" in page
    assert Quiz.objects.get(slug="imported").questions.exists()
    job.refresh_from_db()
    assert job.state == BankImport.State.DONE and job.finished_at is not None
    again = educator_client.post(IMPORT, {"job": job.pk}).content.decode()
    assert "cannot be imported now: it is imported" in again


def test_a_large_bank_imports_in_the_background_and_its_page_shows_its_state(
    educator_client, monkeypatch, django_capture_on_commit_callbacks
):
    monkeypatch.setattr("quizzes.services.bank_imports.BACKGROUND_IMPORT_BYTES", 10)
    data = {
        "file": upload("good.gift"),
        "slug": "imported",
        "title": "Imported",
        "topic": "Imports",
        "import": "Import",
    }

    with django_capture_on_commit_callbacks(execute=True):
        page = educator_client.post(IMPORT, data).content.decode()

    assert "importing in the background" in page and "Refresh to see its progress" in page
    job = BankImport.objects.get()
    assert job.state == BankImport.State.DONE and Quiz.objects.filter(slug="imported").exists()
    status = educator_client.get(IMPORT, {"job": job.pk}).content.decode()
    assert "good.gift: Imported" in status and "Recent imports" in status


def test_the_import_form_states_the_size_limit(educator_client):
    assert "At most 10 MB; banks over 1 MB import in the background." in educator_client.get(IMPORT).content.decode()


def test_a_dry_run_of_a_good_bank_says_what_would_be_imported_and_saves_nothing(educator_client):
    page = educator_client.post(
        IMPORT,
        good_gift("dry_run"),
    ).content.decode()

    assert "Dry run passed" in page and "Imported (imported)" in page
    assert not Quiz.objects.exists()


@pytest.mark.parametrize("name", ["good.gift", "good.xml", "good.yaml"])
def test_importing_a_good_bank_creates_its_quiz(educator_client, name):
    data = {"file": upload(name), "import": "Import"}
    if not name.endswith(".yaml"):
        data |= {"slug": "imported", "title": "Imported", "topic": "Imports"}

    page = educator_client.post(IMPORT, data).content.decode()

    assert "Imported 1 quiz" in page
    assert Quiz.objects.get().questions.count() >= 1


@pytest.mark.parametrize(
    ("name", "sources"), [("good.gift", set()), ("good.xml", set()), ("good.yaml", {"bank-doc", "bank-other"})]
)
def test_an_import_cites_the_sources_its_file_names_or_none_and_never_the_file(educator_client, name, sources):
    data = {"file": upload(name), "import": "Import"}
    if not name.endswith(".yaml"):
        data |= {"slug": "imported", "title": "Imported", "topic": "Imports"}

    educator_client.post(IMPORT, data)

    questions = Quiz.objects.get().questions.all()
    assert set(Source.objects.values_list("key", flat=True)) == sources
    assert {source.key for question in questions for source in question.sources.all()} == sources
    assert not Source.objects.filter(title__icontains=name.split(".")[0]).exists()
    assert {question.author for question in questions} == {None}  # nobody here wrote them


def test_moodle_and_gift_imports_need_a_quiz_to_go_into(educator_client):
    page = educator_client.post(IMPORT, {"file": upload("good.gift"), "import": "Import"}).content.decode()

    assert "Needed for Moodle XML and GIFT" in page and not Quiz.objects.exists()


def test_a_quiz_exported_as_a_quiz_pack_imports_back_as_the_same_quiz(
    educator_client, settings, django_capture_on_commit_callbacks
):
    from django.core.management import call_command

    with django_capture_on_commit_callbacks(execute=True):
        call_command("load_content", verbosity=0)
    quiz = Quiz.objects.get(slug="pulmonary-metastases")
    before = [
        (q.key, q.kind, q.stem, q.image_alt, [(c.text, c.is_correct, c.rationale) for c in q.choices.all()])
        for q in questions_of(quiz)
    ]
    export = educator_client.post(
        reverse("admin:quizzes_quiz_changelist"), {"action": "export_quizpack", "_selected_action": [quiz.pk]}
    )
    assert export["Content-Disposition"] == 'attachment; filename="pulmonary-metastases-quizpack.zip"'
    archive = SimpleUploadedFile("pulmonary-metastases-quizpack.zip", export.content)
    Quiz.objects.all().delete()

    page = educator_client.post(IMPORT, {"file": archive, "import": "Import"}).content.decode()

    assert "Imported 1 quiz" in page, page[:2000]
    again = Quiz.objects.get(slug="pulmonary-metastases")
    after = [
        (q.key, q.kind, q.stem, q.image_alt, [(c.text, c.is_correct, c.rationale) for c in q.choices.all()])
        for q in questions_of(again)
    ]
    assert after == before
    assert again.questions.exclude(image="").count() == 5


@pytest.mark.parametrize(("action", "filename"), [("export_moodle", "quiz.xml"), ("export_gift", "quiz.gift")])
def test_a_quiz_exports_as_moodle_xml_and_gift(educator_client, action, filename):
    quiz = make_quiz(questions=2, slug="quiz")

    export = educator_client.post(
        reverse("admin:quizzes_quiz_changelist"), {"action": action, "_selected_action": [quiz.pk]}
    )

    assert export["Content-Disposition"] == f'attachment; filename="{filename}"'
    assert b"Stem of question 2?" in export.content


def test_a_trainee_cannot_import(trainee_client):
    response = trainee_client.post(IMPORT, {"file": upload("good.yaml"), "import": "Import"})

    assert response.status_code == 302 and not Quiz.objects.exists()


# --- Hotspot questions ---------------------------------------------------------------------------

ELLIPSE_REGION = {
    "shape": "ellipse",
    "geometry": {"cx": 0.4, "cy": 0.5, "rx": 0.1, "ry": 0.1},
    "feedback": "The nodule.",
}
POLYGON_REGION = {"shape": "polygon", "geometry": {"points": [[0.6, 0.2], [0.9, 0.2], [0.75, 0.5]]}, "feedback": ""}


def hotspot_form(quiz, regions, **fields):
    import json

    data = question_form(
        quiz,
        kind="hotspot",
        options=(),
        image=png_upload(),
        image_alt="Schematic chest drawing",
        regions=regions if isinstance(regions, str) else json.dumps(regions),
    )
    return data | fields


def test_an_educator_adds_a_hotspot_question_with_its_image_and_regions_and_no_options(educator_client):
    quiz = make_quiz(questions=1)

    response = educator_client.post(ADD_QUESTION, hotspot_form(quiz, [ELLIPSE_REGION, POLYGON_REGION]))

    assert response.status_code == 302, response.content.decode()[:3000]
    question = Question.objects.get(key="new-question")
    assert question.is_hotspot and question.image and not question.choices.exists()
    assert [(r.shape, r.geometry, r.feedback, r.order) for r in question.regions.all()] == [
        ("ellipse", ELLIPSE_REGION["geometry"], "The nodule.", 0),
        ("polygon", POLYGON_REGION["geometry"], "", 1),
    ]


@pytest.mark.parametrize(
    ("regions", "message"),
    [
        ([{"shape": "circle", "geometry": {"cx": 0.5}}], "Region 1: Unknown shape &quot;circle&quot;"),
        (
            [ELLIPSE_REGION, {"shape": "polygon", "geometry": {"points": [[0.1, 0.1], [0.2, 0.2]]}}],
            "Region 2: A polygon needs at least 3 points, not 2.",
        ),
        (
            [{"shape": "polygon", "geometry": {"points": [[0.1, 0.1], [0.5, 0.5], [0.5, 0.1], [0.1, 0.5]]}}],
            "Region 1: The polygon&#x27;s outline crosses itself",
        ),
        (
            [{"shape": "ellipse", "geometry": {"cx": 0.95, "cy": 0.5, "rx": 0.1, "ry": 0.1}}],
            "Region 1: The ellipse extends past the right edge of the image",
        ),
        ('[{"shape": "ellipse", "geometry": ', "The regions are not valid JSON"),
        ('{"shape": "ellipse"}', "The regions must be a JSON list"),
        ([], "needs at least one target region"),
    ],
)
def test_the_admin_refuses_invalid_regions_saying_which_and_what_is_wrong(educator_client, regions, message):
    quiz = make_quiz(questions=1)

    response = educator_client.post(ADD_QUESTION, hotspot_form(quiz, regions))

    assert response.status_code == 200
    assert message in response.content.decode()
    assert not Question.objects.filter(key="new-question").exists()


def test_a_hotspot_question_needs_an_image_and_its_form_has_no_option_rows(educator_client):
    quiz = make_quiz(questions=1)
    form = question_form(
        quiz,
        kind="hotspot",
        options=[("A", True), ("B", False)],
        regions='[{"shape": "ellipse", "geometry": {"cx": 0.5, "cy": 0.5, "rx": 0.1, "ry": 0.1}}]',
    )

    page = educator_client.post(ADD_QUESTION, form).content.decode()

    assert "A hotspot question needs an image to click on." in page
    assert "choices-TOTAL_FORMS" not in page
    assert not Question.objects.filter(key="new-question").exists()


def test_a_hotspot_question_without_regions_may_offer_no_abnormality(educator_client):
    quiz = make_quiz(questions=1)

    response = educator_client.post(ADD_QUESTION, hotspot_form(quiz, [], allow_no_abnormality="on"))

    assert response.status_code == 302
    question = Question.objects.get(key="new-question")
    assert question.allow_no_abnormality and not question.regions.exists()


def test_choice_questions_still_need_their_options_and_their_form_has_no_regions(educator_client):
    quiz = make_quiz(questions=1)

    page = educator_client.post(
        ADD_QUESTION, question_form(quiz, options=(), regions='[{"shape": "ellipse"}]')
    ).content.decode()

    assert "at least two options" in page and "data-hotspot-editor" not in page


def test_editing_a_hotspot_question_shows_the_region_editor_and_replaces_its_regions(educator_client):
    from tests.factories import make_hotspot_question

    question = make_hotspot_question(quiz=make_quiz(questions=0))
    url = reverse("admin:quizzes_question_change", args=[question.pk])
    page = educator_client.get(url).content.decode()
    assert "data-hotspot-editor" in page and f'data-image-url="{question.image.url}"' in page
    assert "hotspot-editor.js" in page

    form = question_form(
        question.quiz,
        kind="hotspot",
        options=(),
        key=question.key,
        image_alt=question.image_alt,
        regions='[{"shape": "polygon", "geometry": {"points": [[0.1, 0.1], [0.3, 0.1], [0.2, 0.3]]}, '
        '"feedback": "New."}]',
    )
    form["sources"] = [source.pk for source in question.sources.all()]
    response = educator_client.post(url, form)

    assert response.status_code == 302, response.content.decode()[:3000]
    assert [(r.shape, r.feedback) for r in question.regions.all()] == [("polygon", "New.")]


def test_preview_of_a_hotspot_question_marks_the_click_and_records_nothing(educator_client):
    from tests.factories import make_hotspot_question

    question = make_hotspot_question(quiz=make_quiz(questions=0))
    url = reverse("admin:quizzes_question_preview", args=[question.pk])

    assert "data-hotspot-form" in educator_client.get(url).content.decode()
    page = educator_client.post(url, {"x": "0.5", "y": "0.5"}).content.decode()

    assert "Correct" in page and 'data-hotspot-click="inside"' in page
    assert not Response.objects.exists()


# --- Draft questions ---------------------------------------------------------------------------------


def test_the_question_list_filters_questions_lacking_an_explanation_or_option_rationales(educator_client):
    quiz = make_quiz(questions=0)
    make_question(quiz=quiz, order=1, stem="Finished question?")
    bare = make_question(quiz=quiz, order=2, stem="Bare option question?", status=Question.Status.DRAFT)
    bare.choices.filter(is_correct=False).update(rationale="")
    changelist = reverse("admin:quizzes_question_changelist")

    page = educator_client.get(changelist, {"feedback": "lacking"}).content.decode()

    assert "Lacks an explanation or option rationales" in page
    assert "Bare option question?" in page and "Finished question?" not in page


def test_publishing_refuses_questions_that_still_lack_feedback_and_says_which(educator_client):
    quiz = make_quiz(questions=0)
    ready = make_question(quiz=quiz, order=1, key="ready", status=Question.Status.DRAFT)
    bare = make_question(quiz=quiz, order=2, key="bare", status=Question.Status.DRAFT, explanation="")

    response = educator_client.post(
        reverse("admin:quizzes_question_changelist"),
        {"action": "publish_questions", "_selected_action": [ready.pk, bare.pk], "confirmed": "yes"},
        follow=True,
    )

    page = response.content.decode()
    assert "Published 1 question(s)." in page
    assert "Not published, as they lack an explanation or a rationale on some option: bare." in page
    ready.refresh_from_db(), bare.refresh_from_db()
    assert (ready.status, bare.status) == (Question.Status.PUBLISHED, Question.Status.DRAFT)


def test_an_option_trainees_chose_cannot_be_deleted_in_the_admin_which_says_to_retire_it(educator_client, trainee):
    quiz = make_quiz(questions=1)
    take_quiz(trainee, quiz, [False])  # chose "Wrong 1a"
    question = quiz.questions.get()
    choices = list(question.choices.order_by("order"))
    data = question_form(quiz, key=question.key, options=[(c.text, c.is_correct) for c in choices])
    data |= {"choices-INITIAL_FORMS": len(choices)}
    for index, choice in enumerate(choices):
        data[f"choices-{index}-id"] = choice.pk
        data[f"choices-{index}-question"] = question.pk
    data["choices-1-DELETE"] = "on"  # "Wrong 1a"

    response = educator_client.post(reverse("admin:quizzes_question_change", args=[question.pk]), data)

    assert response.status_code == 200
    page = response.content.decode()
    assert "Deleting choice Wrong 1a would require deleting the following protected related objects" in page
    assert "a trainee&#x27;s recorded answer" in page and "tick “retired” to stop offering the option" in page
    assert question.choices.count() == 4


# --- Question versions -------------------------------------------------------------------------------


def change_form_of(question, **fields) -> dict:
    """The question's change form as the admin shows it, every option in its row; `fields` change it."""
    choices = list(question.choices.order_by("order", "pk"))
    data = question_form(
        question.quiz,
        key=question.key,
        order=question.order,
        stem=question.stem,
        explanation=question.explanation,
        learning_point=question.learning_point,
        options=[(choice.text, choice.is_correct) for choice in choices],
    )
    data |= {"choices-INITIAL_FORMS": len(choices), "sources": [source.pk for source in question.sources.all()]}
    for index, choice in enumerate(choices):
        data |= {
            f"choices-{index}-id": choice.pk,
            f"choices-{index}-question": question.pk,
            f"choices-{index}-rationale": choice.rationale,
            f"choices-{index}-order": choice.order,
        }
    return data | fields


@pytest.fixture
def answered_question(trainee):
    quiz = make_quiz(questions=1)
    attempt_finish(attempt=take_quiz(trainee, quiz, [False]))
    return quiz.questions.get()


def test_an_admin_change_to_an_answered_question_is_saved_as_its_next_version(educator_client, answered_question):
    url = reverse("admin:quizzes_question_change", args=[answered_question.pk])
    page = educator_client.get(url).content.decode()
    assert "Trainees have answered this question" in page
    assert reverse("admin:quizzes_question_versions", args=[answered_question.pk]) in page

    data = change_form_of(answered_question, stem="A clearer stem?")
    data["choices-0-rationale"] = "A better reason."
    response = educator_client.post(url, data, follow=True)

    assert "Saved as version 2 of the question." in response.content.decode()
    latest = answered_question.versions.first()
    assert (latest.number, latest.changed_by.username) == (2, "teacher")
    assert latest.summary == "Stem; option “Right 1”: rationale"
    assert answered_question.versions.get(number=1).snapshot["stem"] == "Stem of question 1?"


def test_saving_an_answered_question_unchanged_records_no_version(educator_client, answered_question):
    url = reverse("admin:quizzes_question_change", args=[answered_question.pk])

    response = educator_client.post(url, change_form_of(answered_question), follow=True)

    assert "was changed successfully" in response.content.decode()
    assert not answered_question.versions.exists()


def test_a_question_nobody_answered_says_nothing_of_versions_and_records_none(educator_client):
    question = make_quiz(questions=1).questions.get()
    url = reverse("admin:quizzes_question_change", args=[question.pk])

    assert "Trainees have answered this question" not in educator_client.get(url).content.decode()
    educator_client.post(url, change_form_of(question, stem="Reworded?"))
    page = educator_client.get(reverse("admin:quizzes_question_versions", args=[question.pk])).content.decode()

    assert not question.versions.exists() and "nobody has answered this question" in page


def test_the_versions_page_says_who_changed_what_and_when_and_shows_each_version(educator_client, answered_question):
    url = reverse("admin:quizzes_question_change", args=[answered_question.pk])
    educator_client.post(url, change_form_of(answered_question, stem="A clearer stem?"))

    history = educator_client.get(reverse("admin:quizzes_question_versions", args=[answered_question.pk]))
    first = educator_client.get(reverse("admin:quizzes_question_version", args=[answered_question.pk, 1]))

    html = history.content.decode()
    assert '<li aria-current="page">Versions</li>' in html
    assert "Version 2</a> (current)" in html and "teacher (Dr Teacher)" in html and "<td>Stem</td>" in html
    assert "As trainees answered it before its first recorded change." in html
    assert "The question has 1 answer:" in html and "<td>1</td>" in html  # the answer is to version 1
    page = first.content.decode()
    assert "Stem of question 1?" in page and "A clearer stem?" not in page
    assert "Rationale for Wrong 1a" in page and "Restore this version" in page


def test_restoring_a_version_asks_first_then_records_it_as_the_next_version(educator_client, answered_question):
    url = reverse("admin:quizzes_question_change", args=[answered_question.pk])
    educator_client.post(url, change_form_of(answered_question, stem="A clearer stem?"))
    restore = reverse("admin:quizzes_question_version_restore", args=[answered_question.pk, 1])

    confirm = " ".join(educator_client.get(restore).content.decode().split())
    assert "It is recorded as version 3" in confirm and 'value="Yes, restore version 1"' in confirm
    answered_question.refresh_from_db()
    assert answered_question.stem == "A clearer stem?"  # asking changes nothing

    response = educator_client.post(restore, follow=True)

    html = response.content.decode()
    assert "Version 1 restored: Saved as version 3 of the question." in html
    assert "Restored version 1: stem" in html
    answered_question.refresh_from_db()
    assert (answered_question.stem, answered_question.version) == ("Stem of question 1?", 3)


def test_trainees_reach_no_version_page_and_an_unknown_version_is_not_found(trainee, educator, answered_question):
    trainee_client, educator_client = Client(), Client()
    trainee_client.force_login(trainee)
    educator_client.force_login(educator)
    pages = [
        reverse("admin:quizzes_question_versions", args=[answered_question.pk]),
        reverse("admin:quizzes_question_version_restore", args=[answered_question.pk, 1]),
    ]
    for url in pages:
        assert trainee_client.get(url).status_code == 302  # to the admin's log-in
    assert trainee_client.post(pages[1]).status_code == 302
    assert (
        educator_client.get(reverse("admin:quizzes_question_version", args=[answered_question.pk, 1])).status_code
        == 404
    )
    answered_question.refresh_from_db()
    assert answered_question.version == 1


def test_the_quiz_page_question_rows_reorder_but_never_reword_an_answered_question(educator_client, answered_question):
    quiz = answered_question.quiz
    data = {
        "title": quiz.title,
        "slug": quiz.slug,
        "description": "",
        "topic": quiz.topic_id,
        "kind": quiz.kind,
        "status": quiz.status,
        "order": quiz.order,
        "exam_minutes": "",
        "questions-TOTAL_FORMS": 1,
        "questions-INITIAL_FORMS": 1,
        "questions-MIN_NUM_FORMS": 0,
        "questions-MAX_NUM_FORMS": 1000,
        "questions-0-id": answered_question.pk,
        "questions-0-quiz": quiz.pk,
        "questions-0-order": answered_question.order + 5,
        "questions-0-key": answered_question.key,
        "questions-0-kind": answered_question.kind,
        "questions-0-stem": "Reworded on the quiz page?",
    }

    response = educator_client.post(reverse("admin:quizzes_quiz_change", args=[quiz.pk]), data)

    # The rows show the stem as text: a question is reworded on its own page, where versions are recorded.
    assert response.status_code == 302, response.content.decode()[:3000]
    answered_question.refresh_from_db()
    assert answered_question.stem == "Stem of question 1?" and answered_question.version == 1
    assert answered_question.order == 6


def test_the_problem_report_queue_shows_the_version_the_trainee_saw(educator_client, trainee, answered_question):
    from quizzes.services.reports import problem_report_create
    from tests.factories import educator_change

    report = problem_report_create(
        reporter=trainee,
        attempt=Attempt.objects.get(),
        question=answered_question,
        reason="factual",
        note="The dose is wrong.",
    )
    with educator_change(answered_question):
        answered_question.stem = "Corrected?"
        answered_question.save()

    queue = educator_client.get(reverse("admin:quizzes_problemreport_changelist")).content.decode()
    detail = educator_client.get(reverse("admin:quizzes_problemreport_change", args=[report.pk])).content.decode()

    version_page = reverse("admin:quizzes_question_version", args=[answered_question.pk, 1])
    for html in (queue, detail):
        assert f'<a href="{version_page}">1<span class="visually-hidden">' in html and "(now 2)" in html


def test_a_hotspot_questions_version_page_draws_its_image_and_targets(educator_client, trainee):
    from quizzes.services.questions import question_regions_set
    from tests.factories import educator_change, make_hotspot_question

    quiz = make_quiz(questions=0)
    question = make_hotspot_question(quiz=quiz)
    attempt_finish(attempt=take_quiz(trainee, quiz, [True]))
    with educator_change(question):
        question_regions_set(question=question, regions=[])

    page = educator_client.get(reverse("admin:quizzes_question_version", args=[question.pk, 1])).content.decode()

    assert f'src="{question.image.url}"' in page and 'cx="0.5"' in page and "cavitating" in page
    assert "1 target, outlined in yellow." in page


# --- Short answer and extended matching --------------------------------------------------------------


def accepted_rows(accepted):
    """The accepted answers' inline rows for (text, weight, feedback)."""
    data = {"accepted_answers-TOTAL_FORMS": len(accepted)}
    for index, (text, weight, feedback) in enumerate(accepted):
        data |= {
            f"accepted_answers-{index}-text": text,
            f"accepted_answers-{index}-weight": weight,
            f"accepted_answers-{index}-feedback": feedback,
            f"accepted_answers-{index}-order": index,
        }
    return data


def short_answer_form(quiz, accepted, **fields):
    return question_form(quiz, kind="short_answer", options=(), forgive_typos="on") | accepted_rows(accepted) | fields


def test_an_educator_adds_a_short_answer_question_with_its_accepted_answers(educator_client):
    quiz = make_quiz(questions=1)
    page = educator_client.get(f"{ADD_QUESTION}?kind=short_answer&quiz={quiz.pk}").content.decode()
    assert "Short answer (typed diagnosis)" in page and 'name="accepted_answers-0-text"' in page
    assert 'name="choices-0-text"' not in page and 'name="match_stems-0-text"' not in page  # its kind's rows only

    response = educator_client.post(
        ADD_QUESTION,
        short_answer_form(quiz, [("miliary metastases", "1", "Yes."), ("metastases", "0.5", "Be specific.")]),
    )

    assert response.status_code == 302, response.content.decode()[:3000]
    question = Question.objects.get(key="new-question")
    assert question.is_short_answer and question.forgive_typos and not question.case_sensitive
    assert [(a.text, str(a.weight.normalize()), a.feedback) for a in question.accepted_answers.all()] == [
        ("miliary metastases", "1", "Yes."),
        ("metastases", "0.5", "Be specific."),
    ]


@pytest.mark.parametrize(
    ("accepted", "options", "message"),
    [
        ([("metastases", "0.5", "")], (), "needs at least one accepted answer with full marks (weight 1)"),
        ([], (), "needs at least one accepted answer with full marks (weight 1)"),
        ([("?!", "1", "")], (), "has no letters or digits"),
    ],
)
def test_a_short_answer_question_that_breaks_its_rules_is_refused_and_nothing_saved(
    educator_client, accepted, options, message
):
    quiz = make_quiz(questions=1)
    data = short_answer_form(quiz, accepted) | question_form(quiz, kind="short_answer", options=options)
    data |= accepted_rows(accepted) | empty_inline("match_stems")

    response = educator_client.post(ADD_QUESTION, data)

    assert response.status_code == 200 and message in response.content.decode()
    assert not Question.objects.filter(key="new-question").exists()


def test_accepted_answers_and_stems_belong_to_their_kinds_only(educator_client):
    quiz = make_quiz(questions=1)
    page = educator_client.get(f"{ADD_QUESTION}?kind=single&quiz={quiz.pk}").content.decode()
    assert 'name="accepted_answers-0-text"' not in page and 'name="match_stems-0-text"' not in page

    # Rows of another kind posted anyway are not the form's: the question is saved without them.
    educator_client.post(f"{ADD_QUESTION}?kind=single", question_form(quiz) | accepted_rows([("miliary", "1", "")]))

    assert Question.objects.filter(key="new-question").exists() and not AcceptedAnswer.objects.exists()


def stem_rows(stems, initial=0):
    """The stems' inline rows for (text, answer option id)."""
    data = {"match_stems-TOTAL_FORMS": len(stems), "match_stems-INITIAL_FORMS": initial}
    for index, (text, answer) in enumerate(stems):
        data |= {
            f"match_stems-{index}-text": text,
            f"match_stems-{index}-answer": answer,
            f"match_stems-{index}-order": index,
            f"match_stems-{index}-image_alt": "",
        }
    return data


def saved_options_form(question, **fields):
    """The change form of a saved question, its options as they are."""
    choices = list(question.choices.order_by("order", "pk"))
    data = question_form(
        question.quiz, kind=question.kind, key=question.key, options=[(c.text, False) for c in choices]
    )
    data |= {"choices-INITIAL_FORMS": len(choices), "sources": [s.pk for s in question.sources.all()]}
    for index, choice in enumerate(choices):
        data |= {f"choices-{index}-id": choice.pk, f"choices-{index}-question": question.pk}
    return data | fields


OPTIONS = ["Squamous cell carcinoma", "Thyroid carcinoma", "Osteosarcoma", "Breast"]


def test_a_matching_question_is_saved_as_a_draft_with_its_options_then_given_stems_and_published(educator_client):
    quiz = make_quiz(questions=1)
    refused = educator_client.post(
        ADD_QUESTION, question_form(quiz, kind="matching", options=[(text, False) for text in OPTIONS])
    ).content.decode()
    assert "needs at least 2 stems" in refused and "Save the question first as a draft with its options" in refused

    created = educator_client.post(
        ADD_QUESTION, question_form(quiz, kind="matching", status="draft", options=[(text, False) for text in OPTIONS])
    )
    assert created.status_code == 302, created.content.decode()[:3000]
    question = Question.objects.get(key="new-question")
    url = reverse("admin:quizzes_question_change", args=[question.pk])
    page = educator_client.get(url).content.decode()
    assert 'name="match_stems-0-answer"' in page and "Thyroid carcinoma</option>" in page
    by_text = {choice.text: choice.pk for choice in question.choices.all()}

    published = educator_client.post(
        url,
        saved_options_form(question)
        | stem_rows(
            [("Cavitating nodules", by_text["Squamous cell carcinoma"]), ("Miliary", by_text["Thyroid carcinoma"])]
        ),
    )

    assert published.status_code == 302, published.content.decode()[:3000]
    question.refresh_from_db()
    assert question.status == Question.Status.PUBLISHED
    assert [(s.text, s.answer.text) for s in question.match_stems.all()] == [
        ("Cavitating nodules", "Squamous cell carcinoma"),
        ("Miliary", "Thyroid carcinoma"),
    ]


def test_a_published_matching_question_needs_more_options_than_stems_or_a_reason(educator_client):
    from tests.factories import make_matching_question

    question = make_matching_question(quiz=make_quiz(questions=0), options=OPTIONS[:2], stems=[])
    url = reverse("admin:quizzes_question_change", args=[question.pk])
    stems = stem_rows([(f"Stem {n}", choice.pk) for n, choice in enumerate(question.choices.all())])

    refused = educator_client.post(url, saved_options_form(question) | stems).content.decode()
    accepted = educator_client.post(
        url, saved_options_form(question, fewer_options_reason="Two primaries only.") | stems
    )

    assert "this one has 2 options for 2 stems" in refused
    assert accepted.status_code == 302 and question.match_stems.count() == 2


def test_a_stems_answer_must_be_an_offered_option(educator_client):
    from tests.factories import make_matching_question

    question = make_matching_question(quiz=make_quiz(questions=0), options=OPTIONS, stems=[])
    url = reverse("admin:quizzes_question_change", args=[question.pk])
    retired = question.choices.get(text="Breast")
    data = saved_options_form(question) | stem_rows([("One", retired.pk), ("Two", question.choices.first().pk)])
    data[f"choices-{OPTIONS.index('Breast')}-retired"] = "on"

    page = educator_client.post(url, data).content.decode()

    assert "Stem 1: its answer must be one of the question" in page and not question.match_stems.exists()


def test_publishing_refuses_short_answer_and_matching_questions_their_kind_finds_unfinished(educator_client):
    from tests.factories import make_matching_question, make_short_answer_question

    quiz = make_quiz(questions=0)
    draft = Question.Status.DRAFT
    no_full_marks = make_short_answer_question(
        quiz=quiz, order=1, key="half", status=draft, accepted=[("m", "0.5", "")]
    )
    no_stems = make_matching_question(quiz=quiz, order=2, key="stemless", status=draft, stems=[])
    ready = make_matching_question(quiz=quiz, order=3, key="ready", status=draft)

    page = educator_client.post(
        reverse("admin:quizzes_question_changelist"),
        {
            "action": "publish_questions",
            "_selected_action": [no_full_marks.pk, no_stems.pk, ready.pk],
            "confirmed": "yes",
        },
        follow=True,
    ).content.decode()

    assert "Published 1 question(s)." in page and "half, stemless" in page
    assert list(Question.objects.filter(status="published").values_list("key", flat=True)) == ["ready"]


def test_duplicating_copies_accepted_answers_and_stems_answered_by_the_copys_own_options(educator_client):
    from tests.factories import make_matching_question, make_short_answer_question

    quiz = make_quiz(questions=0)
    typed = make_short_answer_question(quiz=quiz, order=1)
    matching = make_matching_question(quiz=quiz, order=2)

    educator_client.post(
        reverse("admin:quizzes_question_changelist"),
        {"action": "duplicate_questions", "_selected_action": [typed.pk, matching.pk]},
    )

    typed_copy, matching_copy = Question.objects.filter(key__endswith="-copy").order_by("order")
    assert list(typed_copy.accepted_answers.values_list("text", "weight")) == list(
        typed.accepted_answers.values_list("text", "weight")
    )
    assert [(s.text, s.answer.text, s.answer.question_id) for s in matching_copy.match_stems.all()] == [
        (s.text, s.answer.text, matching_copy.pk) for s in matching.match_stems.all()
    ]


def test_a_stems_image_is_re_encoded_and_shown_to_trainees(
    educator_client, trainee, django_capture_on_commit_callbacks
):
    from tests.factories import make_matching_question

    question = make_matching_question(quiz=make_quiz(questions=0), stems=[])
    url = reverse("admin:quizzes_question_change", args=[question.pk])
    data = saved_options_form(question) | stem_rows(
        [("One", question.choices.all()[0].pk), ("Two", question.choices.all()[1].pk)]
    )
    data |= {"match_stems-0-image": png_upload(trailer=b"<script>"), "match_stems-0-image_alt": "Schematic of nodules"}

    with django_capture_on_commit_callbacks(execute=True):
        response = educator_client.post(url, data)

    assert response.status_code == 302, response.content.decode()[:3000]
    stem = question.match_stems.get(text="One")
    stored = stem.image.read()
    assert stored.startswith(b"\x89PNG") and b"<script>" not in stored
    trainee_client = Client()
    trainee_client.force_login(trainee)
    assert trainee_client.get(stem.image.url).status_code == 200


def test_a_stems_image_needs_alt_text(educator_client):
    from tests.factories import make_matching_question

    question = make_matching_question(quiz=make_quiz(questions=0), stems=[])
    url = reverse("admin:quizzes_question_change", args=[question.pk])
    data = saved_options_form(question) | stem_rows(
        [("One", question.choices.all()[0].pk), ("Two", question.choices.all()[1].pk)]
    )
    data["match_stems-0-image"] = png_upload()

    page = educator_client.post(url, data).content.decode()

    assert "Describe the image for people who cannot see it" in page and not question.match_stems.exists()


def test_the_item_analysis_offers_to_accept_an_unmatched_typed_answer_in_one_click(educator_client, trainee):
    from quizzes.services.attempts import answer_submit
    from tests.factories import make_short_answer_question

    quiz = make_quiz(questions=0)
    make_short_answer_question(quiz=quiz)
    question = questions_of(quiz)[0]
    attempt = attempt_start(user=trainee, quiz=quiz)
    answer_submit(attempt=attempt, question=question, typed="Haematogenous spread")
    attempt_finish(attempt=attempt)
    analysis_url = reverse("admin:quizzes_quiz_analysis", args=[quiz.pk])

    page = educator_client.get(analysis_url).content.decode()
    assert "Answers typed: " in page and "<td>haematogenous spread</td>" in page
    assert "Add as accepted answer" in page

    response = educator_client.post(
        reverse("admin:quizzes_question_accept_answer", args=[question.pk]),
        {"text": "haematogenous spread", "next": analysis_url},
        follow=True,
    )

    assert response.redirect_chain[-1][0] == analysis_url
    page = response.content.decode()
    assert "Added “haematogenous spread” as an accepted answer with full marks" in page
    assert "Answers already given keep their marks." in page and "Add as accepted answer" not in page
    assert question.accepted_answers.last().text == "haematogenous spread"
    assert Response.objects.get().points == 0  # not rescored


def test_accepting_an_answer_is_a_post_by_someone_who_may_change_the_question(educator_client, client):
    from tests.factories import make_short_answer_question

    question = make_short_answer_question(quiz=make_quiz(questions=0))
    url = reverse("admin:quizzes_question_accept_answer", args=[question.pk])
    viewer = User.objects.create_user("viewer", password="a-long-test-password", is_staff=True)
    viewer.user_permissions.add(Permission.objects.get(codename="view_question"))
    client.force_login(viewer)

    assert educator_client.get(url).status_code == 405
    assert client.post(url, {"text": "tb"}).status_code == 403
    assert not question.accepted_answers.filter(text="tb").exists()


def test_only_a_short_answer_question_accepts_a_typed_answer(educator_client):
    question = make_quiz(questions=1).questions.get()

    page = educator_client.post(
        reverse("admin:quizzes_question_accept_answer", args=[question.pk]), {"text": "tb"}, follow=True
    ).content.decode()

    assert "Only short-answer questions have accepted answers." in page


def test_accepting_a_typed_answer_for_an_answered_question_records_a_version(educator_client, trainee):
    from quizzes.services.attempts import answer_submit
    from tests.factories import make_short_answer_question

    quiz = make_quiz(questions=0)
    make_short_answer_question(quiz=quiz)
    question = questions_of(quiz)[0]
    answer_submit(attempt=attempt_start(user=trainee, quiz=quiz), question=question, typed="secondaries")

    educator_client.post(reverse("admin:quizzes_question_accept_answer", args=[question.pk]), {"text": "secondaries"})

    question.refresh_from_db()
    assert question.version == 2
    assert question.versions.get(number=2).summary == "Accepted from the item analysis: accepted answers"
    page = educator_client.get(reverse("admin:quizzes_question_version", args=[question.pk, 1])).content.decode()
    assert "<caption>Accepted answers (capitals do not count; typing slips forgiven)</caption>" in page
    assert '<th scope="row">miliary metastases</th>' in page and '<th scope="row">secondaries</th>' not in page


def test_a_matching_questions_version_lists_its_stems_with_the_options_answering_them(educator_client, trainee):
    from quizzes.services.attempts import answer_submit
    from tests.factories import educator_change, make_matching_question, stem_answers

    quiz = make_quiz(questions=0)
    make_matching_question(quiz=quiz)
    question = questions_of(quiz)[0]
    answer_submit(attempt=attempt_start(user=trainee, quiz=quiz), question=question, matches=stem_answers(question))
    with educator_change(question):
        question.match_stems.filter(text="Miliary nodules").update(text="Innumerable tiny nodules")

    page = educator_client.get(reverse("admin:quizzes_question_version", args=[question.pk, 1])).content.decode()

    assert "<caption>Stems</caption>" in page
    assert '<tr><td class="prose"><p>Miliary nodules</p>\n</td><td>Thyroid carcinoma</td></tr>' in page


def test_the_educators_front_page_is_named_for_the_site_and_starts_with_what_they_come_to_do(educator_client):
    page = educator_client.get(reverse("admin:index")).content.decode()

    assert "Metastasis Imaging Quiz: educators" in page and "Django administration" not in page
    for url in [
        reverse("admin:quizzes_question_add"),
        reverse("admin:quizzes_quiz_import"),
        reverse("admin:quizzes_quiz_changelist"),
        reverse("admin:quizzes_problemreport_changelist") + "?status__exact=open",
        reverse("cohort_list"),
    ]:
        assert f'href="{url}"' in page
    for url in [reverse("admin:quizzes_question_add"), reverse("admin:quizzes_quiz_import"), reverse("cohort_list")]:
        assert educator_client.get(url).status_code == 200
