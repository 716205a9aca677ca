"""Starting practice sets from the web, and the home page's "Due today" and "Practise my mistakes" panels."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from quizzes.models import Attempt, Question, ReviewCard, Tag
from quizzes.services.attempts import attempt_finish
from quizzes.services.practice import mistakes_start, review_start
from tests.factories import card_due, make_quiz, questions_of, take_quiz

pytestmark = pytest.mark.django_db
MISTAKES_URL = reverse("practice_mistakes_start")
REVIEW_URL = reverse("practice_review_start")


def messages_of(response):
    return [str(message) for message in response.wsgi_request._messages]


# Starting a set


def test_practising_my_mistakes_starts_a_set_and_opens_its_first_question(trainee_client, trainee, quiz):
    take_quiz(trainee, quiz, [True, False, False])

    response = trainee_client.post(MISTAKES_URL)

    attempt = Attempt.objects.get(kind=Attempt.Kind.MISTAKES)
    assert response.status_code == 302 and response["Location"] == reverse("attempt_resume", args=[attempt.pk])
    page = trainee_client.get(response["Location"], follow=True).content.decode()
    assert "<h1>Practise my mistakes</h1>" in page and "Question 1 of 2" in page and "Stem of question 3?" in page


@pytest.mark.parametrize("where", ["field", "query string"])
def test_mistakes_can_be_practised_within_one_quiz(trainee_client, trainee, where):
    chosen, other = make_quiz(questions=2), make_quiz(questions=2)
    take_quiz(trainee, chosen, [False, True])
    take_quiz(trainee, other, [False, False])

    if where == "field":
        trainee_client.post(MISTAKES_URL, {"quiz": chosen.slug})
    else:
        trainee_client.post(f"{MISTAKES_URL}?quiz={chosen.slug}")

    attempt = Attempt.objects.get(kind=Attempt.Kind.MISTAKES)
    assert attempt.quiz == chosen
    assert list(attempt.questions.values_list("pk", flat=True)) == [questions_of(chosen)[0].pk]


def test_an_unknown_or_draft_quiz_is_not_found(trainee_client):
    draft = make_quiz(status="draft")

    assert trainee_client.post(MISTAKES_URL, {"quiz": "no-such-quiz"}).status_code == 404
    assert trainee_client.post(MISTAKES_URL, {"quiz": draft.slug}).status_code == 404
    assert not Attempt.objects.exists()


def test_with_no_mistakes_the_trainee_is_told_and_sent_back(trainee_client, trainee, quiz):
    take_quiz(trainee, quiz, [True, True, True])

    response = trainee_client.post(MISTAKES_URL, {"next": reverse("my_progress")})

    assert response.status_code == 302 and response["Location"] == reverse("my_progress")
    assert messages_of(response) == [
        "No mistakes to practise anywhere: your latest answer to every question was right."
    ]
    assert not Attempt.objects.filter(kind=Attempt.Kind.MISTAKES).exists()


def test_going_back_never_leaves_the_site(trainee_client):
    response = trainee_client.post(MISTAKES_URL, {"next": "https://elsewhere.example/"})

    assert response["Location"] == reverse("home")


def test_review_now_starts_the_due_cards_as_a_set(trainee_client, trainee, quiz):
    first, second, _third = questions_of(quiz)
    card_due(trainee, second, timezone.now() - datetime.timedelta(days=2))
    card_due(trainee, first, timezone.now() - datetime.timedelta(hours=1))

    response = trainee_client.post(REVIEW_URL)

    attempt = Attempt.objects.get(kind=Attempt.Kind.REVIEW)
    assert response["Location"] == reverse("attempt_resume", args=[attempt.pk])
    assert list(attempt.items.in_order().values_list("question_id", flat=True)) == [second.pk, first.pk]


def test_with_nothing_due_the_trainee_is_told_and_sent_home(trainee_client):
    response = trainee_client.post(REVIEW_URL, {"next": reverse("home")})

    assert response["Location"] == reverse("home")
    assert messages_of(response) == ["Nothing is due for review today."]
    assert not Attempt.objects.exists()


@pytest.mark.parametrize("url", [MISTAKES_URL, REVIEW_URL])
def test_starting_a_set_needs_a_post(trainee_client, trainee, quiz, url):
    take_quiz(trainee, quiz, [False])
    card_due(trainee, questions_of(quiz)[1], timezone.now())

    assert trainee_client.get(url).status_code == 405
    assert not Attempt.objects.exclude(kind=Attempt.Kind.QUIZ).exists()


@pytest.mark.parametrize("url", [MISTAKES_URL, REVIEW_URL])
def test_starting_a_set_needs_a_login(client, url):
    response = client.post(url)

    assert response.status_code == 302 and response["Location"].startswith(reverse("login"))


# The home page's panels


def test_home_shows_how_many_are_due_today_and_how_many_mistakes(trainee_client, trainee, other_trainee):
    quiz = make_quiz(questions=3)
    take_quiz(trainee, quiz, [False, True, False])  # each answer makes a card due tomorrow
    first, second, _third = questions_of(quiz)
    card_due(trainee, first, timezone.now() - datetime.timedelta(days=1))
    card_due(trainee, second, timezone.now())
    take_quiz(other_trainee, quiz, [False, False, False])

    html = trainee_client.get(reverse("home")).content.decode()

    assert "Due today: 2</h2>" in html and "Review now" in html
    assert "2 questions you last answered wrong" in html and "A set takes up to 20 of them" in html
    assert "Unfinished practice" not in html


def test_home_says_when_the_next_review_is_due_when_none_is_due_today(trainee_client, trainee):
    quiz = make_quiz(questions=1)
    card_due(trainee, questions_of(quiz)[0], datetime.datetime(2030, 3, 5, 12, tzinfo=datetime.UTC))

    html = trainee_client.get(reverse("home")).content.decode()

    assert "Due today: 0</h2>" in html and "Review now" not in html
    assert "The next question is due on Tuesday 5 March." in html
    assert "No mistakes to practise" in html


def test_home_puts_every_attempt_in_progress_first_with_continue(trainee_client, trainee, quiz):
    unfinished_quiz = take_quiz(trainee, quiz, [False, False, True])
    within_quiz = mistakes_start(user=trainee, quiz=quiz)
    card_due(trainee, questions_of(quiz)[2], timezone.now())
    review = review_start(user=trainee)

    html = trainee_client.get(reverse("home")).content.decode()

    continuing = html.split('id="continue-heading"')[1].split('class="practice-panels"')[0]
    for attempt in (unfinished_quiz, within_quiz, review):
        link = f'<a class="button" href="{attempt.get_absolute_url()}">Continue<span class="visually-hidden"> {attempt.title}'
        assert link in continuing
    assert "3 of 3 answered" in continuing and "not answered yet" in continuing
    assert html.index('id="continue-heading"') < html.index('id="due-today"')
    # The quiz card says the quiz is in progress, never "not taken yet".
    card = html.split(f'href="{quiz.get_absolute_url()}">{quiz.title}</a>')[1].split("</li>")[0]
    assert "in progress" in card and "not taken yet" not in card


def test_a_brand_new_trainee_is_told_nothing_untrue(trainee_client, quiz):
    html = trainee_client.get(reverse("home")).content.decode()

    assert "Continue where you left off" not in html
    assert "your latest answer to every question was right" not in html
    assert "No mistakes yet: a question you answer wrongly waits here for another try." in html
    assert "Nothing yet: questions you answer come back here when they are due for another look." in html
    assert "not taken yet" in html


def test_review_now_goes_back_to_the_unfinished_due_today_set(trainee_client, trainee, quiz):
    first, second, _third = questions_of(quiz)
    card_due(trainee, first, timezone.now() - datetime.timedelta(days=1))
    started = review_start(user=trainee)
    card_due(trainee, second, timezone.now() - datetime.timedelta(days=1))

    html = trainee_client.get(reverse("home")).content.decode()
    response = trainee_client.post(REVIEW_URL)

    assert "You have a due-today set in progress: Review now takes you back to it." in html
    assert response["Location"] == reverse("attempt_resume", args=[started.pk])
    assert Attempt.objects.filter(kind=Attempt.Kind.REVIEW).count() == 1


def test_a_wrong_answer_is_due_soon_listed_after_the_set_then_due_once_its_minutes_are_up(
    trainee_client, trainee, quiz, travel
):
    first = questions_of(quiz)[0]
    now = timezone.now()
    attempt = take_quiz(trainee, quiz, [False])  # a wrong answer: back after the 10-minute learning step

    html = trainee_client.get(reverse("home")).content.decode()
    card = ReviewCard.objects.get(user=trainee, question=first)
    assert card.due - attempt.responses.get().answered_at == datetime.timedelta(minutes=10)
    assert "Due today: 0</h2>" in html and "Review now" not in html
    due_soon = (
        f"<strong>Due soon:</strong> 1 question you answered wrongly comes back at {timezone.localtime(card.due):%H:%M}"
    )
    assert due_soon in html and html.index("Due soon:") > html.index("Due today: 0")

    travel(now + datetime.timedelta(minutes=11))
    later = trainee_client.get(reverse("home")).content.decode()
    assert "Due today: 1</h2>" in later and "Review now" in later and "Due soon:" not in later


def test_visitors_see_no_practice_panels(client, quiz):
    html = client.get(reverse("home")).content.decode()

    assert "Due today" not in html and "Practise my mistakes" not in html


def home_queries(client):
    with CaptureQueriesContext(connection) as queries:
        assert client.get(reverse("home")).status_code == 200
    return len(queries)


def test_the_home_page_makes_the_same_number_of_queries_however_big_the_record(trainee_client, trainee):
    make_quiz(questions=1)
    empty_record = home_queries(trainee_client)

    for _ in range(3):
        quiz = make_quiz(questions=4)
        take_quiz(trainee, quiz, [False, False, True, False])
        mistakes_start(user=trainee, quiz=quiz)
        card_due(trainee, questions_of(quiz)[2], timezone.now())
    review_start(user=trainee)
    full_record = home_queries(trainee_client)

    # Session and user, the quiz list, then the attempts in progress, the due summary and the mistakes count;
    # the trainee's cohort assignments (the header's count reads them too) and cohorts.
    assert empty_record == full_record == 8


def test_a_quiz_page_does_not_offer_a_mistakes_set_as_the_attempt_to_resume(trainee_client, trainee, quiz):
    attempt_finish(attempt=take_quiz(trainee, quiz, [False, False, False]))
    mistakes_start(user=trainee, quiz=quiz)

    html = trainee_client.get(quiz.get_absolute_url()).content.decode()

    assert "Resume your attempt" not in html


def test_the_progress_page_offers_each_tag_with_published_questions_and_starts_its_set(trainee_client, quiz):
    chest, hidden = Tag.objects.create(name="Chest", slug="chest"), Tag.objects.create(name="Hidden", slug="hidden")
    first, second, third = questions_of(quiz)
    first.tags.add(chest)
    second.tags.add(chest)
    third.tags.add(hidden)
    Question.objects.filter(pk=third.pk).update(status=Question.Status.DRAFT)

    page = trainee_client.get(reverse("my_progress")).content.decode()

    assert 'Practise this tag<span class="visually-hidden">: Chest</span>' in page and "Hidden" not in page
    response = trainee_client.post(reverse("practice_tag_start", args=["chest"]))
    attempt = Attempt.objects.get(kind=Attempt.Kind.TAG)
    assert response["Location"] == reverse("attempt_resume", args=[attempt.pk])
    page = trainee_client.get(response["Location"], follow=True).content.decode()
    assert "Practise a tag: Chest" in page and "Question 1 of 2" in page
    assert trainee_client.post(reverse("practice_tag_start", args=["hidden"])).status_code == 404


def test_with_nothing_answered_the_mistakes_set_says_so_rather_than_all_right(trainee_client):
    response = trainee_client.post(MISTAKES_URL, {"next": reverse("home")})

    assert messages_of(response) == ["No mistakes to practise anywhere yet: you have not answered a question."]


def test_a_practice_set_does_not_speak_of_first_attempts_at_a_quiz(trainee_client, trainee, quiz):
    take_quiz(trainee, quiz, [False])
    practice = mistakes_start(user=trainee)

    html = trainee_client.get(reverse("attempt_resume", args=[practice.pk]), follow=True).content.decode()

    assert "Practise my mistakes is practice: it does not count for the leaderboard." in html
    assert "only your first attempt at a quiz counts" not in html
