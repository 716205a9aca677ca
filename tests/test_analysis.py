"""Item analysis: the statistics against examples worked by hand, then the quiz analysis and the
CSV export against the database."""

import math
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from quizzes import analysis
from quizzes.analysis import (
    cronbach_alpha,
    facility,
    item_column,
    mean,
    median,
    needs_review,
    pearson,
    point_biserial,
    quiz_item_analysis,
    responses_csv_rows,
    sample_standard_deviation,
    sample_variance,
    total_scores,
    upper_lower_index,
)
from quizzes.models import Attempt, Question, Response
from quizzes.services.attempts import answer_submit, attempt_finish, attempt_start
from tests.factories import (
    make_matching_question,
    make_question,
    make_quiz,
    make_short_answer_question,
    make_user,
    questions_of,
    right_choices,
    stem_answers,
    wrong_choices,
)

# Five respondents, three items, worked by hand.
#
#             item1 item2 item3 | total
#   R1          1     1     1   |   3
#   R2          1     1     0   |   2
#   R3          1     0     1   |   2
#   R4          1     0     0   |   1
#   R5          0     0     0   |   0
#
# Facilities: item1 4/5 = 0.8, item2 2/5 = 0.4, item3 2/5 = 0.4.
# Totals 3, 2, 2, 1, 0: mean 8/5 = 1.6; sorted 0 1 2 2 3, median 2.
# Total variance (sample, n - 1): deviations 1.4, 0.4, 0.4, -0.6, -1.6;
#   squares 1.96 + 0.16 + 0.16 + 0.36 + 2.56 = 5.2; 5.2 / 4 = 1.3; SD = sqrt(1.3) = 1.1402.
# Item variances (sample): sum of squared deviations of a 0/1 item is n p (1 - p), so
#   item1 5 * 0.8 * 0.2 / 4 = 0.8 / 4 = 0.2; item2 and item3 5 * 0.4 * 0.6 / 4 = 1.2 / 4 = 0.3.
#   Sum 0.2 + 0.3 + 0.3 = 0.8.
# Alpha = k/(k-1) * (1 - 0.8 / 1.3) = 3/2 * 0.5/1.3 = 0.75 / 1.3 = 0.576923.
HAND_EXAMPLE = [
    [1, 1, 1],
    [1, 1, 0],
    [1, 0, 1],
    [1, 0, 0],
    [0, 0, 0],
]


def test_facility_is_the_share_of_respondents_who_got_the_item_right():
    assert [facility(item_column(HAND_EXAMPLE, item)) for item in range(3)] == pytest.approx([0.8, 0.4, 0.4])


def test_facility_is_undefined_without_respondents():
    assert facility([]) is None


def test_total_scores_mean_median_and_sample_deviation_match_the_hand_computation():
    totals = total_scores(HAND_EXAMPLE)

    assert totals == [3, 2, 2, 1, 0]
    assert mean(totals) == pytest.approx(1.6)
    assert median(totals) == 2
    assert sample_variance(totals) == pytest.approx(1.3)
    assert sample_standard_deviation(totals) == pytest.approx(math.sqrt(1.3))


def test_item_variances_use_the_sample_definition():
    assert [sample_variance(item_column(HAND_EXAMPLE, item)) for item in range(3)] == pytest.approx([0.2, 0.3, 0.3])


def test_cronbach_alpha_matches_the_hand_computation():
    assert cronbach_alpha(HAND_EXAMPLE) == pytest.approx(0.75 / 1.3)


def test_corrected_point_biserial_matches_the_hand_computation():
    # item1 = 1 1 1 1 0 (mean 0.8); rest = total - item1 = 2 1 1 0 0 (mean 0.8).
    #   item deviations  0.2  0.2  0.2  0.2 -0.8
    #   rest deviations  1.2  0.2  0.2 -0.8 -0.8
    #   Sxy = 0.24 + 0.04 + 0.04 - 0.16 + 0.64 = 0.8
    #   Sxx = 4 * 0.04 + 0.64 = 0.8;  Syy = 1.44 + 0.04 + 0.04 + 0.64 + 0.64 = 2.8
    #   r = 0.8 / sqrt(0.8 * 2.8) = sqrt(2/7) = 0.5345
    # item2 = 1 1 0 0 0 (mean 0.4); rest = 2 1 2 1 0 (mean 1.2).
    #   Sxy = 0.6*0.8 + 0.6*-0.2 + -0.4*0.8 + -0.4*-0.2 + -0.4*-1.2 = 0.48 - 0.12 - 0.32 + 0.08 + 0.48 = 0.6
    #   Sxx = 1.2;  Syy = 0.64 + 0.04 + 0.64 + 0.04 + 1.44 = 2.8
    #   r = 0.6 / sqrt(1.2 * 2.8) = 0.3273
    assert point_biserial(HAND_EXAMPLE, 0) == pytest.approx(math.sqrt(2 / 7))
    assert point_biserial(HAND_EXAMPLE, 1) == pytest.approx(0.6 / math.sqrt(1.2 * 2.8))


def test_corrected_point_biserial_leaves_the_item_out_of_the_total():
    # Against the uncorrected total 3 2 2 1 0 (mean 1.6) item1 would score
    #   Sxy = 0.2*(1.4 + 0.4 + 0.4 - 0.6) + -0.8*-1.6 = 0.32 + 1.28 = 1.6; r = 1.6 / sqrt(0.8 * 5.2) = 0.7845.
    uncorrected = pearson(item_column(HAND_EXAMPLE, 0), total_scores(HAND_EXAMPLE))

    assert uncorrected == pytest.approx(1.6 / math.sqrt(0.8 * 5.2))
    assert point_biserial(HAND_EXAMPLE, 0) < uncorrected


def test_upper_lower_index_compares_the_top_and_bottom_27_percent():
    # Ten respondents: groups of floor(0.27 * 10 + 0.5) = 3.
    #   totals 4 4 3 3 2 2 2 1 1 0 (already highest first), upper R1-R3, lower R8-R10.
    #   item1 upper 1 1 1, lower 1 0 0: D = 3/3 - 1/3 = 0.6667
    #   item2 upper 1 1 0, lower 0 1 0: D = 2/3 - 1/3 = 0.3333
    matrix = [
        [1, 1, 1, 1],
        [1, 1, 1, 1],
        [1, 0, 1, 1],
        [1, 1, 1, 0],
        [1, 1, 0, 0],
        [1, 0, 1, 0],
        [0, 1, 1, 0],
        [1, 0, 0, 0],
        [0, 1, 0, 0],
        [0, 0, 0, 0],
    ]

    assert upper_lower_index(matrix, 0) == pytest.approx(2 / 3)
    assert upper_lower_index(matrix, 1) == pytest.approx(1 / 3)


def test_upper_lower_index_in_the_hand_example_uses_groups_of_one():
    # floor(0.27 * 5 + 0.5) = 1: upper is R1 (total 3), lower R5 (total 0), who differ on every item.
    assert [upper_lower_index(HAND_EXAMPLE, item) for item in range(3)] == [1, 1, 1]


def test_upper_lower_ties_are_broken_by_the_order_given():
    # Everyone has total 1; groups of floor(0.27 * 4 + 0.5) = 1. Upper is the first respondent
    # listed, lower the last, so reversing the rows reverses the sign.
    matrix = [[1, 0], [0, 1], [1, 0], [0, 1]]

    assert upper_lower_index(matrix, 0) == 1
    assert upper_lower_index(matrix, 1) == -1
    assert upper_lower_index(matrix[::-1], 0) == -1


def test_discrimination_is_undefined_when_everyone_gets_the_item_right():
    matrix = [[1, 1], [1, 0], [1, 1], [1, 0]]

    assert point_biserial(matrix, 0) is None


def test_discrimination_is_undefined_when_everyone_has_the_same_rest_score():
    matrix = [[1, 1], [0, 1], [1, 1]]

    assert point_biserial(matrix, 0) is None


def test_alpha_is_undefined_with_a_single_item():
    assert cronbach_alpha([[1], [0], [1]]) is None


def test_alpha_is_undefined_when_every_total_is_the_same():
    assert cronbach_alpha([[1, 0], [0, 1], [1, 0]]) is None


def test_statistics_that_need_two_respondents_are_undefined_with_one():
    assert sample_variance([3]) is None
    assert sample_standard_deviation([3]) is None
    assert cronbach_alpha([[1, 0]]) is None
    assert point_biserial([[1, 0]], 0) is None
    assert upper_lower_index([[1, 0]], 0) is None


def test_statistics_of_nothing_are_undefined():
    assert mean([]) is None and median([]) is None


def test_median_of_an_even_count_is_the_mean_of_the_middle_two():
    assert median([4, 1, 3, 2]) == 2.5


@pytest.mark.parametrize(
    ("item_facility", "discrimination", "respondents", "expected"),
    [
        (0.5, 0.4, 10, False),  # a good item
        (0.19, 0.4, 10, True),  # too hard
        (0.2, 0.4, 10, False),  # exactly at the hard threshold is fine
        (0.96, 0.4, 10, True),  # too easy
        (0.95, 0.4, 10, False),  # exactly at the easy threshold is fine
        (0.5, 0.19, 10, True),  # does not discriminate
        (0.5, -0.3, 10, True),  # discriminates the wrong way
        (0.5, None, 5, True),  # undefined with enough respondents to mean something
        (0.5, None, 4, False),  # undefined with too few to tell
        (None, None, 0, False),  # nobody has answered yet
    ],
)
def test_needs_review_flags_items_outside_the_thresholds(item_facility, discrimination, respondents, expected):
    assert needs_review(facility=item_facility, discrimination=discrimination, respondents=respondents) is expected


def test_review_thresholds_are_module_constants():
    assert analysis.FACILITY_TOO_HARD == 0.2
    assert analysis.FACILITY_TOO_EASY == 0.95
    assert analysis.DISCRIMINATION_MINIMUM == 0.2
    assert analysis.UNDEFINED_DISCRIMINATION_MIN_RESPONDENTS == 5


# --- The database ----------------------------------------------------------------------------


def take(quiz, user=None, *, answers, finish=True) -> Attempt:
    """One attempt. `answers` holds, per question in quiz order, 1 (right), 0 (wrong), None (skipped)."""
    attempt = attempt_start(user=user or make_user(), quiz=quiz)
    for question, answer in zip(questions_of(quiz), answers, strict=True):
        if answer is not None:
            chosen = right_choices(question) if answer else wrong_choices(question)[:1]
            answer_submit(attempt=attempt, question=question, chosen=chosen)
    return attempt_finish(attempt=attempt) if finish else attempt


@pytest.mark.django_db
def test_quiz_analysis_of_the_hand_example_matches_the_hand_computation():
    quiz = make_quiz(questions=3)
    for row in HAND_EXAMPLE:
        take(quiz, answers=row)

    result = quiz_item_analysis(quiz)

    assert result.respondents == 5 and result.question_count == 3
    assert result.mean == pytest.approx(1.6)
    assert result.median == 2
    assert result.standard_deviation == pytest.approx(math.sqrt(1.3))
    assert result.alpha == pytest.approx(0.75 / 1.3)
    assert [item.question for item in result.items] == questions_of(quiz)
    assert [item.facility for item in result.items] == pytest.approx([0.8, 0.4, 0.4])
    assert result.items[0].point_biserial == pytest.approx(math.sqrt(2 / 7))
    assert [item.upper_lower_index for item in result.items] == [1, 1, 1]
    assert all(item.respondents == 5 and item.answered == 5 for item in result.items)


@pytest.mark.django_db
def test_only_each_users_first_finished_attempt_counts():
    quiz = make_quiz(questions=2)
    repeater, late_finisher, never_finished = make_user(), make_user(), make_user()
    take(quiz, repeater, answers=[1, 0])
    take(quiz, repeater, answers=[1, 1])  # practice after seeing the feedback: ignored
    abandoned = take(quiz, late_finisher, answers=[1, 1], finish=False)  # never finished: ignored
    # Left open before an open counted attempt held up the next one (quizzes/refusals.py).
    Attempt.objects.filter(pk=abandoned.pk).update(is_ranked=False)
    take(quiz, late_finisher, answers=[0, 0])
    take(quiz, never_finished, answers=[1, 1], finish=False)

    result = quiz_item_analysis(quiz)

    assert result.respondents == 2
    assert [item.facility for item in result.items] == [0.5, 0.0]
    assert result.mean == 0.5


@pytest.mark.django_db
def test_the_first_attempt_is_the_one_started_first_then_the_lower_id():
    quiz = make_quiz(questions=1)
    user, other = make_user(), make_user()
    created_first = take(quiz, user, answers=[0])
    started_first = take(quiz, user, answers=[1])
    Attempt.objects.filter(pk=started_first.pk).update(started_at=created_first.started_at - timedelta(minutes=5))
    same_start = timezone.now() - timedelta(hours=1)
    lower_id = take(quiz, other, answers=[1])
    higher_id = take(quiz, other, answers=[0])
    Attempt.objects.filter(pk__in=[lower_id.pk, higher_id.pk]).update(started_at=same_start)

    result = quiz_item_analysis(quiz)

    assert result.respondents == 2
    assert result.items[0].facility == 1.0  # both counted attempts got it right


@pytest.mark.django_db
def test_option_counts_list_every_option_in_order_including_those_never_chosen():
    quiz = make_quiz(questions=0)
    make_question(quiz=quiz, options=[("Alpha", False), ("Bravo", True), ("Charlie", False), ("Delta", False)])
    question = questions_of(quiz)[0]
    alpha, bravo, charlie, _delta = question.choices.all()
    for picked in ([bravo], [bravo], [alpha], [bravo]):
        attempt = attempt_start(user=make_user(), quiz=quiz)
        answer_submit(attempt=attempt, question=question, chosen=picked)
        attempt_finish(attempt=attempt)
    repeat = attempt_start(user=attempt.user, quiz=quiz)  # a second attempt's choice is not counted
    answer_submit(attempt=repeat, question=question, chosen=[charlie])
    attempt_finish(attempt=repeat)

    (item,) = quiz_item_analysis(quiz).items

    assert [(option.choice.text, option.count) for option in item.option_counts] == [
        ("Alpha", 1),
        ("Bravo", 3),
        ("Charlie", 0),
        ("Delta", 0),
    ]
    assert item.facility == 0.75


@pytest.mark.django_db
def test_option_counts_of_a_multiple_select_question_count_each_option_chosen():
    quiz = make_quiz(questions=0)
    make_question(quiz=quiz, kind=Question.Kind.MULTIPLE, options=[("A", True), ("B", True), ("C", False)])
    question = questions_of(quiz)[0]
    a, b, c = question.choices.all()
    for picked in ([a, b], [a, c], [a]):
        attempt = attempt_start(user=make_user(), quiz=quiz)
        answer_submit(attempt=attempt, question=question, chosen=picked)
        attempt_finish(attempt=attempt)

    (item,) = quiz_item_analysis(quiz).items

    assert [option.count for option in item.option_counts] == [3, 1, 1]
    assert item.facility == pytest.approx(1 / 3)


@pytest.mark.django_db
def test_an_unanswered_question_in_a_first_attempt_counts_as_wrong():
    quiz = make_quiz(questions=2)
    take(quiz, answers=[1, None])
    take(quiz, answers=[1, 1])
    take(quiz, answers=[None, None])  # finished without answering anything: still a respondent

    result = quiz_item_analysis(quiz)

    assert result.respondents == 3
    assert [item.answered for item in result.items] == [2, 1]
    assert [item.facility for item in result.items] == pytest.approx([2 / 3, 1 / 3])
    assert result.mean == 1.0  # totals 1, 2, 0


@pytest.mark.django_db
def test_mean_seconds_is_over_the_answers_given():
    quiz = make_quiz(questions=2)
    for seconds in (10, 30):
        attempt = take(quiz, answers=[1, None])
        Response.objects.filter(attempt=attempt).update(seconds_taken=seconds)

    result = quiz_item_analysis(quiz)

    assert result.items[0].mean_seconds == 20
    assert result.items[1].mean_seconds is None


@pytest.mark.django_db
def test_a_quiz_nobody_has_finished_has_no_statistics():
    quiz = make_quiz(questions=2)
    take(quiz, answers=[1, 1], finish=False)

    result = quiz_item_analysis(quiz)

    assert result.respondents == 0
    assert result.mean is None and result.median is None
    assert result.standard_deviation is None and result.alpha is None
    assert all(item.facility is None and not item.needs_review for item in result.items)
    assert all(option.count == 0 for item in result.items for option in item.option_counts)


@pytest.mark.django_db
def test_items_everyone_gets_right_are_flagged_for_review():
    quiz = make_quiz(questions=2)
    for second in (1, 0, 1, 0, 1):
        take(quiz, answers=[1, second])

    result = quiz_item_analysis(quiz)

    assert result.items[0].point_biserial is None and result.items[0].needs_review
    assert result.items_needing_review[0] == result.items[0]


@pytest.mark.django_db
def test_the_analysis_takes_the_same_number_of_queries_for_2_and_20_attempts():
    small, large = make_quiz(questions=2), make_quiz(questions=6)
    for _ in range(2):
        take(small, answers=[1, 0])
    for number in range(20):
        take(large, answers=[number % 2, 1, 0, 1, number % 3 and 1, None])
        take(large, answers=[1] * 6)  # second attempts are read past in the database, not in Python

    with CaptureQueriesContext(connection) as small_queries:
        quiz_item_analysis(small)
    with CaptureQueriesContext(connection) as large_queries:
        quiz_item_analysis(large)

    # Questions, their options, hotspot regions, accepted answers and matching stems; first attempts, responses,
    # matches per stem.
    assert len(small_queries) == len(large_queries) == 8


@pytest.mark.django_db
def test_csv_rows_hold_every_response_of_every_attempt_with_its_fields():
    quiz = make_quiz(questions=0)
    make_question(quiz=quiz, order=1, key="single", options=[("Right", True), ("Wrong", False)])
    make_question(
        quiz=quiz,
        order=2,
        key="multiple",
        kind=Question.Kind.MULTIPLE,
        options=[("First", True), ("Second", True), ("Third", False)],
    )
    single, multiple = questions_of(quiz)
    user = make_user(username="ada", display_name="Ada L")
    first = attempt_start(user=user, quiz=quiz)
    answer_submit(attempt=first, question=single, chosen=right_choices(single))
    answer_submit(attempt=first, question=multiple, chosen=list(multiple.choices.all())[1:])
    attempt_finish(attempt=first)
    second = attempt_start(user=user, quiz=quiz)  # unfinished, and not a first attempt: still exported
    answer_submit(attempt=second, question=single, chosen=wrong_choices(single))
    Response.objects.filter(attempt=first, question=multiple).update(seconds_taken=42)
    responses = {(r.attempt_id, r.question.key): r for r in Response.objects.select_related("question")}

    header, *rows = list(responses_csv_rows(quiz))

    assert header == [
        "attempt_id",
        "username",
        "display_name",
        "quiz",
        "question",
        "chosen",
        "right",
        "seconds_taken",
        "answered_at",
        "typed_answer",
        "matched_answer",
        "matches",
    ]
    assert len(rows) == Response.objects.filter(attempt__quiz=quiz).count() == 3
    assert rows[1] == [
        str(first.pk),
        "ada",
        "Ada L",
        quiz.slug,
        "multiple",
        "Second | Third",
        "no",
        "42",
        responses[(first.pk, "multiple")].answered_at.isoformat(),
        "",
        "",
        "",
    ]
    assert [(row[0], row[4], row[5], row[6]) for row in rows] == [
        (str(first.pk), "single", "Right", "yes"),
        (str(first.pk), "multiple", "Second | Third", "no"),
        (str(second.pk), "single", "Wrong", "no"),
    ]
    assert timezone.datetime.fromisoformat(rows[0][8]) == responses[(first.pk, "single")].answered_at


@pytest.mark.django_db
def test_csv_rows_hold_no_responses_to_other_quizzes():
    quiz, other_quiz = make_quiz(questions=1), make_quiz(questions=1)
    take(quiz, answers=[1])
    take(other_quiz, answers=[1])

    _header, *rows = list(responses_csv_rows(quiz))

    assert [row[3] for row in rows] == [quiz.slug]


@pytest.mark.django_db
def test_csv_cells_a_spreadsheet_would_run_as_formulas_are_made_plain_text():
    quiz = make_quiz(questions=1)
    take(quiz, make_user(display_name='=HYPERLINK("http://example.com")'), answers=[1])

    _header, row = list(responses_csv_rows(quiz))

    assert row[2] == '\'=HYPERLINK("http://example.com")'


@pytest.mark.django_db
def test_a_hotspot_questions_click_map_counts_first_attempts_inside_outside_and_no_abnormality():
    from tests.factories import make_hotspot_question

    quiz = make_quiz(questions=0)
    question = make_hotspot_question(quiz=quiz, allow_no_abnormality=True)
    for point in [(0.5, 0.5), (0.55, 0.5), (0.1, 0.9), None]:
        attempt = attempt_start(user=make_user(), quiz=quiz)
        answer_submit(attempt=attempt, question=question, point=point)
        attempt_finish(attempt=attempt)
    practice = attempt_start(user=attempt.user, quiz=quiz)  # a later attempt: practice, left out
    answer_submit(attempt=practice, question=question, point=(0.9, 0.1))
    attempt_finish(attempt=practice)

    (item,) = quiz_item_analysis(quiz).items

    assert (item.click_map.inside, item.click_map.outside, item.click_map.no_abnormality) == (2, 1, 1)
    assert sorted(item.click_map.points) == [(0.1, 0.9, False), (0.5, 0.5, True), (0.55, 0.5, True)]
    assert item.option_counts == ()


@pytest.mark.django_db
def test_educators_see_the_click_map_drawn_over_the_image(client):
    from quizzes.services.educators import educator_create
    from tests.factories import make_hotspot_question

    quiz = make_quiz(questions=0)
    question = make_hotspot_question(quiz=quiz)
    for point in [(0.5, 0.5), (0.1, 0.9)]:
        attempt = attempt_start(user=make_user(), quiz=quiz)
        answer_submit(attempt=attempt, question=question, point=point)
        attempt_finish(attempt=attempt)
    client.force_login(educator_create(username="teacher", password="a-long-educator-pass-1", display_name="T"))

    html = client.get(reverse("admin:quizzes_quiz_analysis", args=[quiz.pk])).content.decode()

    assert f"Where trainees clicked: {question.key}" in html
    assert html.count('data-hotspot-click="inside"') == 1 and html.count('data-hotspot-click="outside"') == 1
    assert "data-hotspot-region" in html and question.image.url in html


# --- Short answer and extended matching --------------------------------------------------------------


def answered_by(quiz, answers):
    """Each of `answers` (keyword arguments of answer_submit for the quiz's one question) in a first attempt."""
    question = questions_of(quiz)[0]
    for answer in answers:
        attempt = attempt_start(user=make_user(), quiz=quiz)
        if answer is not None:
            answer_submit(attempt=attempt, question=question, **answer)
        attempt_finish(attempt=attempt)
    return question


@pytest.mark.django_db
def test_a_short_answers_distinct_typed_answers_are_counted_with_what_they_match():
    quiz = make_quiz(questions=0)
    make_short_answer_question(quiz=quiz)
    typed = ["Miliary metastases", "miliary  metastases!", "tuberculosis", "Tuberculosis", "TB", "metastases", None]
    answered_by(quiz, [{"typed": text} if text else None for text in typed])

    (item,) = quiz_item_analysis(quiz).items

    assert [(each.text, each.count, each.matched.text if each.matched else None) for each in item.typed_answers] == [
        ("miliary metastases", 2, "miliary metastases"),
        ("tuberculosis", 2, None),
        ("metastases", 1, "metastases"),
        ("tb", 1, None),
    ]
    assert item.respondents == 7 and item.answered == 6


@pytest.mark.django_db
def test_a_matching_questions_stems_have_their_facility_and_the_options_chosen_for_each():
    quiz = make_quiz(questions=0)
    make_matching_question(quiz=quiz)
    question = questions_of(quiz)[0]
    answered_by(quiz, [{"matches": stem_answers(question, right=n)} for n in (4, 2, 1)] + [None])

    (item,) = quiz_item_analysis(quiz).items

    first, second, *_others = item.stems
    assert [stem.facility for stem in item.stems] == [0.75, 0.5, 0.25, 0.25]
    counts = {option.choice.text: option.count for option in second.option_counts}
    assert counts == {
        "Squamous cell carcinoma": 0,
        "Thyroid carcinoma": 2,
        "Osteosarcoma": 0,
        "Choriocarcinoma": 0,
        "Breast": 1,
    }
    assert first.stem.text == "Cavitating nodules" and item.facility == 0.25


@pytest.mark.django_db
def test_the_csv_holds_what_was_typed_what_it_matched_and_each_stems_option():
    quiz = make_quiz(questions=0)
    make_short_answer_question(quiz=quiz, order=1)
    make_matching_question(quiz=quiz, order=2)
    typed, matching = questions_of(quiz)
    attempt = attempt_start(user=make_user(), quiz=quiz)
    answer_submit(attempt=attempt, question=typed, typed="=metastases")
    answer_submit(attempt=attempt, question=matching, matches=stem_answers(matching, right=3))

    _header, typed_row, matching_row = list(responses_csv_rows(quiz))

    assert typed_row[9:] == ["'=metastases", "metastases", ""]
    assert matching_row[9:] == [
        "",
        "",
        "1: Squamous cell carcinoma | 2: Thyroid carcinoma | 3: Osteosarcoma | 4: Breast",
    ]
