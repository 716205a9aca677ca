"""'Report a problem with this question' from feedback and summaries, with and without htmx; the
educators' queue in the admin; the trainee sees their report resolved, and nobody else's."""

import pytest
from django.core.cache import cache
from django.urls import reverse

from quizzes.models import Attempt, ProblemReport
from quizzes.services.attempts import attempt_finish, attempt_start
from quizzes.services.educators import educator_create
from quizzes.services.reports import problem_report_create, problem_reports_resolve
from tests.factories import HTMX, make_quiz, questions_of, take_quiz

pytestmark = pytest.mark.django_db


def report_url(attempt, question):
    return reverse("problem_report", args=[attempt.pk, question.pk])


@pytest.fixture
def answered(trainee, quiz):
    return take_quiz(trainee, quiz, [False])


def test_every_feedback_and_summary_item_offers_the_report_form(trainee_client, trainee, quiz, answered):
    first = questions_of(quiz)[0]
    feedback = trainee_client.get(reverse("question_show", args=[answered.pk, first.pk])).content.decode()
    assert "Report a problem with this question" in feedback and f'action="{report_url(answered, first)}"' in feedback
    for reason in ("Factual error", "Unclear wording", "Image problem", "Other"):
        assert reason in feedback

    attempt_finish(attempt=answered)
    summary = trainee_client.get(reverse("attempt_summary", args=[answered.pk])).content.decode()
    assert summary.count("Report a problem with this question") == 3
    assert f'name="next" value="{reverse("attempt_summary", args=[answered.pk])}"' in summary


def test_a_plain_report_is_recorded_and_goes_back_where_it_came_from(trainee_client, trainee, quiz, answered):
    first = questions_of(quiz)[0]
    back = reverse("attempt_summary", args=[answered.pk]) + "?only=wrong"

    response = trainee_client.post(
        report_url(answered, first), {"reason": "factual", "note": "The staging is out of date.", "next": back}
    )

    assert response.status_code == 302 and response["Location"] == back
    report = ProblemReport.objects.get()
    assert (report.reporter, report.question, report.reason) == (trainee, first, "factual")
    assert report.response == answered.responses.get(question=first)


def test_an_htmx_report_swaps_a_thank_you_in_place(trainee_client, quiz, answered):
    first = questions_of(quiz)[0]

    response = trainee_client.post(report_url(answered, first), {"reason": "unclear", "note": "Which lobe?"}, **HTMX)

    html = response.content.decode()
    assert response.status_code == 200 and f'id="report-{first.pk}"' in html and "<html" not in html
    assert "Thank you: your report on question 1 was sent to the educators." in html
    assert ProblemReport.objects.count() == 1


@pytest.mark.parametrize(
    ("data", "error"), [({"note": "x"}, "Choose what is wrong."), ({"reason": "other"}, "Say in a few words")]
)
def test_an_incomplete_report_is_refused_with_the_form_again(trainee_client, quiz, answered, data, error):
    first = questions_of(quiz)[0]

    plain = trainee_client.post(report_url(answered, first), data)
    htmx = trainee_client.post(report_url(answered, first), data, **HTMX)

    assert plain.status_code == htmx.status_code == 422
    assert error in plain.content.decode() and "<html" in plain.content.decode()
    assert error in htmx.content.decode() and "<html" not in htmx.content.decode()
    assert " open>" in htmx.content.decode() and "autofocus" in htmx.content.decode()
    assert not ProblemReport.objects.exists()


def test_nobody_reports_from_someone_elses_attempt_or_an_unfinished_exam(
    client, trainee, other_trainee, quiz, answered
):
    client.force_login(other_trainee)
    first = questions_of(quiz)[0]
    assert client.post(report_url(answered, first), {"reason": "other", "note": "x"}).status_code == 404

    exam_quiz = make_quiz(questions=1, exam_minutes=10)
    exam = attempt_start(user=other_trainee, quiz=exam_quiz, mode=Attempt.Mode.EXAM)
    assert (
        client.post(report_url(exam, questions_of(exam_quiz)[0]), {"reason": "other", "note": "x"}).status_code == 404
    )
    assert not ProblemReport.objects.exists()


def test_reports_are_rate_limited(trainee_client, settings, quiz, answered):
    settings.RATE_LIMITS = {"answer": "100/60s", "report": "1/60s"}
    cache.clear()
    first = questions_of(quiz)[0]

    trainee_client.post(report_url(answered, first), {"reason": "other", "note": "one"})
    second = trainee_client.post(report_url(answered, first), {"reason": "other", "note": "two"})
    third = trainee_client.post(report_url(answered, first), {"reason": "other", "note": "three"}, **HTMX)

    cache.clear()
    assert second.status_code == third.status_code == 429 and ProblemReport.objects.count() == 1
    assert "Too many problem reports" in second.content.decode()
    assert third["HX-Retarget"] == f"#report-{first.pk}" and f'id="report-{first.pk}"' in third.content.decode()
    assert "this one was not recorded" in third.content.decode()


def test_progress_shows_the_trainees_own_reports_and_their_resolution_never_anyone_elses(
    trainee_client, trainee, other_trainee, quiz, answered
):
    first, second, _third = questions_of(quiz)
    problem_report_create(reporter=trainee, attempt=answered, question=first, reason="factual", note="Mine")
    theirs = take_quiz(other_trainee, quiz, [True, True])
    problem_report_create(reporter=other_trainee, attempt=theirs, question=second, reason="image", note="Theirs")
    problem_reports_resolve(
        reports=ProblemReport.objects.filter(reporter=trainee), educator=other_trainee, reply="Corrected, thank you."
    )

    html = trainee_client.get(reverse("my_progress")).content.decode()

    assert "Problems you reported" in html and "factual error" in html
    assert "Resolved</strong>" in html and "The educators replied: “Corrected, thank you.”" in html
    assert "image problem" not in html and "Stem of question 2" not in html


# --- the educators' queue ---------------------------------------------------------------------------


@pytest.fixture
def educator_client(client):
    client.force_login(educator_create(username="teacher", password="a-long-educator-pass-1"))
    return client


def test_the_queue_filters_open_and_resolved_and_shows_the_question_and_the_answer(
    educator_client, trainee, quiz, answered
):
    first = questions_of(quiz)[0]
    report = problem_report_create(
        reporter=trainee, attempt=answered, question=first, reason="factual", note="Wrong dose"
    )
    changelist = reverse("admin:quizzes_problemreport_changelist")

    listing = educator_client.get(changelist, {"status__exact": "open"}).content.decode()
    resolved = educator_client.get(changelist, {"status__exact": "resolved"}).content.decode()
    page = educator_client.get(reverse("admin:quizzes_problemreport_change", args=[report.pk])).content.decode()

    assert str(first) in listing and str(first) not in resolved
    chosen = answered.responses.get(question=first).chosen.get()
    assert f"{chosen.text} (wrong, 0 points)" in page and "Wrong dose" in page


def test_the_resolve_action_resolves_and_confirms(educator_client, trainee, quiz, answered):
    first = questions_of(quiz)[0]
    problem_report_create(reporter=trainee, attempt=answered, question=first, reason="other", note="Typo")

    response = educator_client.post(
        reverse("admin:quizzes_problemreport_changelist"),
        {"action": "resolve_reports", "_selected_action": list(ProblemReport.objects.values_list("pk", flat=True))},
        follow=True,
    )

    assert "1 report marked resolved: the trainees see it on My progress." in response.content.decode()
    report = ProblemReport.objects.get()
    assert report.is_resolved and report.resolved_by.username == "teacher"


def test_resolving_from_the_change_form_with_a_reply(educator_client, trainee, quiz, answered):
    report = problem_report_create(
        reporter=trainee, attempt=answered, question=questions_of(quiz)[0], reason="other", note="Typo"
    )

    educator_client.post(
        reverse("admin:quizzes_problemreport_change", args=[report.pk]), {"status": "resolved", "reply": "Fixed."}
    )

    report.refresh_from_db()
    assert report.is_resolved and report.reply == "Fixed." and report.resolved_at is not None


def test_the_queue_shows_a_typed_answer_and_a_matching_answer_per_item(educator_client, trainee):
    from tests.factories import typed_and_matching_answered

    attempt, typed, matching = typed_and_matching_answered(trainee, typed="metastases", right=3)
    reports = [
        problem_report_create(reporter=trainee, attempt=attempt, question=question, reason="other", note="Hm")
        for question in (typed, matching)
    ]

    pages = [
        educator_client.get(reverse("admin:quizzes_problemreport_change", args=[report.pk])).content.decode()
        for report in reports
    ]

    assert "typed “metastases” (wrong, 5 points)" in pages[0]
    assert (
        "item 1: Squamous cell carcinoma; item 2: Thyroid carcinoma; item 3: Osteosarcoma; item 4: Breast "
        "(wrong, 7 points)" in pages[1]
    )
