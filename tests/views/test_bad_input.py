"""Bad input gets a clear 4xx and changes nothing: malformed and unknown ids, other people's
objects, wrong methods, missing CSRF tokens, oversized bodies, and (by hypothesis) anything else
thrown at the answer endpoint."""

import datetime
import re
import string
from urllib.parse import quote

import pytest
from django.apps import apps
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from quizzes.models import Attempt, Question, Quiz, Response, User
from quizzes.options import presented_options
from quizzes.services.attempts import attempt_start
from quizzes.services.cohorts import assignment_create
from tests.factories import HTMX, make_cohort, make_educator, make_question, make_quiz, questions_of, right_choices

pytestmark = pytest.mark.django_db


def site_state() -> dict:
    """Every row of every quiz model: what "changes nothing" compares."""
    return {
        model._meta.label: list(model.objects.order_by("pk").values_list())
        for model in apps.get_app_config("quizzes").get_models()
    } | {"chosen": list(Response.chosen.through.objects.order_by("pk").values_list())}


@pytest.fixture
def scene(trainee, other_trainee):
    """The trainee's attempt at a quiz; someone else's attempt; a draft quiz; an unrelated quiz."""
    quiz = make_quiz(questions=3)
    attempt = attempt_start(user=trainee, quiz=quiz)
    questions = questions_of(quiz)
    other_quiz = make_quiz(questions=1)
    return {
        "quiz": quiz,
        "attempt": attempt,
        "first": questions[0],
        "later": questions[2],
        "others_attempt": attempt_start(user=other_trainee, quiz=quiz),
        "other_quiz_question": other_quiz.questions.first(),
        "draft": make_quiz(questions=1, status=Quiz.Status.DRAFT),
    }


def label_for(attempt, question, choice) -> str:
    return next(option.label for option in presented_options(question, attempt.shuffle_seed) if option.choice == choice)


def answer_path(attempt_part, question_part) -> str:
    return f"/attempts/{attempt_part}/questions/{question_part}/answer/"


# --- the answer endpoint, case by case ---------------------------------------------------------

HUGE = "9" * 30


@pytest.mark.parametrize(
    "attempt_part, question_part, expected",
    [
        ("abc", "first", 404),  # non-numeric ids do not match the route
        ("attempt", "x1", 404),
        ("-1", "first", 404),
        ("0", "first", 404),  # numeric but unknown
        ("attempt", "0", 404),
        (HUGE, "first", 404),  # beyond any database integer
        ("attempt", HUGE, 404),
        ("others_attempt", "first", 404),  # someone else's attempt
        ("attempt", "other_quiz_question", 404),  # a question from another quiz
    ],
)
def test_bad_ids_in_the_answer_url_get_a_404_and_change_nothing(
    trainee_client, scene, attempt_part, question_part, expected
):
    attempt = scene[attempt_part].pk if attempt_part in scene else attempt_part
    question = scene[question_part].pk if question_part in scene else question_part
    before = site_state()

    for extra in ({}, HTMX):
        response = trainee_client.post(answer_path(attempt, question), {"answer": "A"}, **extra)
        assert response.status_code == expected

    assert site_state() == before


def test_answering_needs_a_post(trainee_client, scene):
    before = site_state()

    for method in ("get", "put", "patch", "delete"):
        response = getattr(trainee_client, method)(answer_path(scene["attempt"].pk, scene["first"].pk))
        assert response.status_code == 405

    assert site_state() == before


def test_an_oversized_body_gets_a_400_and_changes_nothing(trainee_client, scene, settings):
    before = site_state()
    url = answer_path(scene["attempt"].pk, scene["first"].pk)

    too_big = trainee_client.post(
        url,
        "answer=A&padding=" + "x" * (settings.DATA_UPLOAD_MAX_MEMORY_SIZE + 1),
        content_type="application/x-www-form-urlencoded",
    )
    too_many = trainee_client.post(
        url,
        "&".join(["answer=A"] * (settings.DATA_UPLOAD_MAX_NUMBER_FIELDS + 1)),
        content_type="application/x-www-form-urlencoded",
    )

    assert too_big.status_code == 400 and too_many.status_code == 400
    assert site_state() == before


@pytest.mark.parametrize(
    "data",
    [
        pytest.param({}, id="missing"),
        pytest.param({"answer": ""}, id="empty"),
        pytest.param({"answer": "Z"}, id="unknown-label"),
        pytest.param({"answer": "E"}, id="a-label-this-question-does-not-have"),
        pytest.param({"answr": "A"}, id="misspelt-field"),
        pytest.param({"answer": "\x00"}, id="nul"),
    ],
)
def test_a_missing_or_unknown_option_changes_nothing(trainee_client, scene, data):
    before = site_state()
    url = answer_path(scene["attempt"].pk, scene["first"].pk)

    htmx = trainee_client.post(url, data, **HTMX)
    plain = trainee_client.post(url, data)

    assert htmx.status_code < 500 and plain.status_code < 500
    assert site_state() == before


def test_an_option_id_from_another_question_is_not_an_option_here(trainee_client, scene):
    # The form takes labels, never ids; an id (even of this question's right option) is refused.
    before = site_state()
    url = answer_path(scene["attempt"].pk, scene["first"].pk)

    for choice in [right_choices(scene["other_quiz_question"])[0], right_choices(scene["first"])[0]]:
        response = trainee_client.post(url, {"answer": str(choice.pk)}, **HTMX)
        assert response.status_code < 500 and 'role="alert"' in response.content.decode()

    assert site_state() == before


@pytest.mark.parametrize("data", [{}, {"answer": "Z"}], ids=["missing", "unknown-label"])
def test_a_missing_or_unknown_option_gets_a_4xx(trainee_client, scene, data):
    url = answer_path(scene["attempt"].pk, scene["first"].pk)

    assert 400 <= trainee_client.post(url, data, **HTMX).status_code < 500
    assert 400 <= trainee_client.post(url, data).status_code < 500


def test_a_repeated_answer_to_a_single_answer_question_gets_a_4xx_and_changes_nothing(trainee_client, scene):
    attempt, question = scene["attempt"], scene["first"]
    right = label_for(attempt, question, right_choices(question)[0])
    before = site_state()

    response = trainee_client.post(answer_path(attempt.pk, question.pk), {"answer": ["Z", right]}, **HTMX)

    assert 400 <= response.status_code < 500
    assert site_state() == before


def test_answers_to_a_quiz_that_is_no_longer_published_get_a_4xx_and_change_nothing(trainee_client, scene):
    attempt, question = scene["attempt"], scene["first"]
    Quiz.objects.filter(pk=attempt.quiz_id).update(status=Quiz.Status.DRAFT)
    before = site_state()

    response = trainee_client.post(answer_path(attempt.pk, question.pk), {"answer": "A"}, **HTMX)

    assert 400 <= response.status_code < 500
    assert site_state() == before


def test_a_later_question_cannot_be_answered_before_the_current_one(trainee_client, scene):
    # question_show already refuses to show it; answering it would show its feedback (and, in a
    # case vignette, its stage) early.
    attempt, later = scene["attempt"], scene["later"]
    before = site_state()

    response = trainee_client.post(answer_path(attempt.pk, later.pk), {"answer": "A"}, **HTMX)

    assert 400 <= response.status_code < 500
    assert site_state() == before


@pytest.mark.parametrize("slug", ["no-such-quiz", "UPPER", "a" * 300, "%E2%98%83"])
def test_unknown_quiz_slugs_get_a_404(trainee_client, slug):
    assert trainee_client.get(f"/quizzes/{slug}/").status_code == 404
    assert trainee_client.post(f"/quizzes/{slug}/start/").status_code == 404
    assert not Attempt.objects.exists()


def test_an_unpublished_quiz_is_not_found_and_cannot_be_started(trainee_client, scene):
    draft = scene["draft"]
    before = site_state()

    assert trainee_client.get(reverse("quiz_detail", args=[draft.slug])).status_code == 404
    assert trainee_client.post(reverse("attempt_start", args=[draft.slug])).status_code == 404

    assert site_state() == before


# --- the answer endpoint, by hypothesis ---------------------------------------------------------

NAMED = ["attempt", "others_attempt", "first", "later", "other_quiz_question"]
id_parts = st.one_of(
    st.sampled_from(NAMED),
    st.integers(min_value=-(10**25), max_value=10**25).map(str),
    st.text(string.ascii_letters + string.digits + "-_.~%/ ", max_size=12),
)
field_values = st.one_of(
    st.sampled_from(["A", "B", "C", "D", "E", "Z", "", "a", " A", "A ", "AB", "1", "-1", HUGE, "null"]),
    st.text(max_size=40),
)
field_names = st.sampled_from(["answer", "answer[]", "Answer", "choice", "choices", "csrfmiddlewaretoken", "x"])


@st.composite
def answer_requests(draw):
    return {
        "attempt": draw(id_parts),
        "question": draw(id_parts),
        "method": draw(st.sampled_from(["post", "post", "post", "get", "put", "delete"])),
        "fields": draw(st.lists(st.tuples(field_names, field_values), max_size=6)),
        "htmx": draw(st.booleans()),
        "as_json": draw(st.booleans()),
    }


def accepted(scene, request) -> bool:
    """The only requests the endpoint takes: the trainee's own attempt, the question open now (the
    first unanswered one), and exactly one known option label. Everything else must change nothing.
    Ids are compared once resolved: a random number or another object's id may name them too."""
    if request["method"] != "post" or request["as_json"]:
        return False

    def as_id(part: str) -> int | None:
        resolved = resolve(scene, part)
        return int(resolved) if resolved.isdigit() else None  # "007" routes to 7, as <int:> reads it

    open_now = Question.objects.unanswered_in(scene["attempt"]).values_list("pk", flat=True).first()
    if as_id(request["attempt"]) != scene["attempt"].pk or as_id(request["question"]) != open_now:
        return False
    answers = [value for name, value in request["fields"] if name == "answer"]
    return len(answers) == 1 and answers[0] in {"A", "B", "C", "D"}


def resolve(scene, part: str) -> str:
    return str(scene[part].pk) if part in scene else quote(part, safe="")


@settings(
    max_examples=150,
    deadline=None,
    database=None,  # no .hypothesis/ folder in the work tree
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(request=answer_requests())
def test_no_input_to_the_answer_endpoint_causes_a_server_error_or_an_unearned_change(trainee_client, scene, request):
    path = answer_path(resolve(scene, request["attempt"]), resolve(scene, request["question"]))
    extra = HTMX if request["htmx"] else {}
    before = site_state()
    valid = accepted(scene, request)

    if request["as_json"]:
        body = "{" + ",".join(f'"{name}": {value!r}' for name, value in request["fields"]) + "}"
        response = trainee_client.generic(
            request["method"].upper(), path, body, content_type="application/json", **extra
        )
    elif request["method"] == "post":
        data = {}
        for name, value in request["fields"]:
            data.setdefault(name, []).append(value)
        response = trainee_client.post(path, data, **extra)
    else:
        response = getattr(trainee_client, request["method"])(path, **extra)

    assert response.status_code < 500
    if not valid:
        assert site_state() == before
        # Refused: a 4xx, or for a plain (non-htmx) form post the redirect back with a message.
        assert 400 <= response.status_code < 500 or (response.status_code == 302 and not request["htmx"])


# --- every state change is a POST with a CSRF token ---------------------------------------------


def project_patterns(resolver=None, prefix=""):
    """(route, name) for every URL of the site, admin and static files aside."""
    for entry in (resolver or get_resolver()).url_patterns:
        route = prefix + str(entry.pattern)
        if isinstance(entry, URLResolver):
            if not route.startswith("admin"):
                yield from project_patterns(entry, route)
        elif isinstance(entry, URLPattern) and entry.name not in {"media"}:
            yield route, entry.name


def url_for(route: str, name: str, objects: dict) -> str:
    kwargs = {}
    for key in re.findall(r"<(?:\w+:)?(\w+)>", route):
        if key not in objects:
            raise AssertionError(f"{name} ({route}) names a {key!r}: add it to this test's objects")
        kwargs[key] = objects[key]
    return reverse(name, kwargs=kwargs)


@pytest.fixture
def cohorts(scene, trainee, other_trainee):
    """A cohort the trainee is in and one they are not, each with the quiz assigned."""
    educator = make_educator()
    due = timezone.now() + datetime.timedelta(days=2)
    made = {}
    for name, member in (("own", trainee), ("foreign", other_trainee)):
        cohort = make_cohort(owner=educator, members=[member])
        assignment = assignment_create(
            cohort=cohort, quiz=scene["quiz"], mode="tutor", due_at=due, assigned_by=educator
        )
        made[name] = {
            "cohort_id": cohort.pk,
            "assignment_id": assignment.pk,
            "user_id": member.pk,
            "code": cohort.join_code,
        }
    made["foreign"]["code"] = "WRONG234"
    return made


@pytest.fixture
def own_objects(scene, cohorts):
    return {
        "attempt_id": scene["attempt"].pk,
        "question_id": scene["first"].pk,
        "slug": scene["quiz"].slug,
    } | cohorts["own"]


@pytest.fixture
def foreign_objects(scene, cohorts):
    """Objects the trainee may not see: someone else's attempt, a draft quiz, another cohort (and its
    trainee and assignment), a join code no cohort has."""
    return {
        "attempt_id": scene["others_attempt"].pk,
        "question_id": scene["first"].pk,
        "slug": scene["draft"].slug,
    } | cohorts["foreign"]


def test_no_page_changes_anything_on_a_get(trainee_client, own_objects):
    before = site_state()

    for route, name in project_patterns():
        response = trainee_client.get(url_for(route, name, own_objects))
        assert response.status_code < 500, name

    assert site_state() == before


def test_every_post_without_a_csrf_token_is_refused_and_changes_nothing(trainee, own_objects):
    client = Client(enforce_csrf_checks=True)
    client.force_login(trainee)
    before = site_state()

    for route, name in project_patterns():
        url = url_for(route, name, own_objects)
        assert client.post(url, {"answer": "A"}).status_code == 403, name
        assert client.post(url, {"answer": "A"}, **HTMX).status_code == 403, name

    assert site_state() == before
    assert "_auth_user_id" in client.session  # logout refused too


@pytest.mark.parametrize("name", ["attempt_start", "answer", "attempt_finish", "logout"])
def test_state_changes_refuse_a_get(trainee_client, own_objects, name):
    route = next(route for route, pattern_name in project_patterns() if pattern_name == name)
    before = site_state()

    assert trainee_client.get(url_for(route, name, own_objects)).status_code == 405

    assert site_state() == before


def test_htmx_sends_the_pages_csrf_token_and_the_answer_is_taken(trainee, scene):
    client = Client(enforce_csrf_checks=True)
    client.force_login(trainee)
    attempt, question = scene["attempt"], scene["first"]
    page = client.get(reverse("question_show", args=[attempt.pk, question.pk])).content.decode()
    token = re.search(r"""<body hx-headers='\{"X-CSRFToken": "([^"]+)"\}'>""", page).group(1)
    label = label_for(attempt, question, right_choices(question)[0])

    # As htmx sends it: the token in the header, none in the form.
    response = client.post(
        reverse("answer", args=[attempt.pk, question.pk]), {"answer": label}, HTTP_X_CSRFTOKEN=token, **HTMX
    )

    assert response.status_code == 200 and "Correct" in response.content.decode()
    assert Response.objects.filter(attempt=attempt).count() == 1


# --- every URL that names an object checks that the user may see it -----------------------------


def test_no_url_serves_or_changes_an_object_the_user_may_not_see(trainee_client, foreign_objects):
    before = site_state()
    checked = []

    for route, name in project_patterns():
        if "<" not in route:
            continue
        url = url_for(route, name, foreign_objects)
        for method in ("get", "post"):
            status = getattr(trainee_client, method)(url, {"answer": "A"} if method == "post" else None).status_code
            # 405 says only that the method is wrong, before any object is looked up.
            assert status in {404, 405}, f"{method.upper()} {name}: {status}"
        checked.append(name)

    assert site_state() == before
    assert {"quiz_detail", "attempt_start", "attempt_resume", "question_show", "answer", "attempt_finish"} <= set(
        checked
    )


def test_a_draft_quizs_image_is_not_served_to_trainees(trainee_client, client, scene, settings, admin_user):
    from django.core.files.base import ContentFile

    draft_question = make_question(quiz=scene["draft"], order=2, image_alt="A schematic")
    draft_question.image.save("secret.png", ContentFile(b"\x89PNG fake"), save=True)
    url = draft_question.image.url

    assert trainee_client.get(url).status_code == 404
    assert client.get(url).status_code == 404
    client.force_login(admin_user)
    assert client.get(url).status_code == 200


def test_media_is_served_as_an_inert_image_and_only_if_a_question_uses_it(trainee_client, scene, settings):
    from django.core.files.base import ContentFile

    question = Question.objects.get(pk=scene["first"].pk)
    question.image_alt = "A schematic"
    question.image.save("chest.png", ContentFile(b"\x89PNG fake"), save=True)
    (settings.MEDIA_ROOT / "questions" / "stray.png").write_bytes(b"\x89PNG stray")
    (settings.MEDIA_ROOT / "questions" / "page.html").write_bytes(b"<script>alert(1)</script>")

    image = trainee_client.get(question.image.url)

    assert image.status_code == 200 and image["Content-Type"] == "image/png"
    assert image["X-Content-Type-Options"] == "nosniff" and image["Content-Disposition"] == "inline"
    assert "sandbox" in image["Content-Security-Policy"] and "default-src 'none'" in image["Content-Security-Policy"]
    assert trainee_client.get("/media/questions/stray.png").status_code == 404
    assert trainee_client.get("/media/questions/page.html").status_code == 404
    assert trainee_client.get("/media/../quizsite/settings/base.py").status_code == 404
    assert trainee_client.post(question.image.url).status_code == 405


def test_signing_up_by_a_get_with_the_fields_in_the_query_makes_no_one(client):
    password = "a-long-signup-password"
    query = {"username": "sneaky", "display_name": "S", "password1": password, "password2": password}

    assert client.get(reverse("signup"), query).status_code == 200

    assert not User.objects.filter(username="sneaky").exists()
