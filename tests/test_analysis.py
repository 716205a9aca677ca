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
    alpha_shown,
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
from quizzes.services.practice import mistakes_start
from tests.factories import (
    educator_change,
    make_matching_question,
    make_question,
    make_quiz,
    make_short_answer_question,
    make_user,
    questions_of,
    right_choices,
    stem_answers,
    time_is,
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


def test_facility_of_points_is_the_share_of_full_marks_earned():
    assert facility([10, 5, 0, 0], full_marks=10) == pytest.approx(15 / 40)


def test_upper_lower_index_of_points_is_in_shares_of_full_marks():
    # Groups of one: the top total (10 + 10) earned 10 on item 0, the bottom (0 + 0) earned 0.
    assert upper_lower_index([[10, 10], [5, 0], [0, 0]], 0, full_marks=10) == 1


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
        (0.5, 0.4, 20, False),  # a good item
        (0.19, 0.4, 20, True),  # too hard
        (0.2, 0.4, 20, False),  # exactly at the hard threshold is fine
        (0.96, 0.4, 20, True),  # too easy
        (0.95, 0.4, 20, False),  # exactly at the easy threshold is fine
        (0.5, 0.19, 20, True),  # does not discriminate
        (0.5, -0.3, 20, True),  # discriminates the wrong way
        (0.5, None, 20, True),  # undefined with enough respondents to mean something
        (0.0, -0.3, 19, False),  # every figure bad, but too few attempts to judge
        (0.5, None, 19, False),  # undefined with too few to tell
        (None, None, 0, False),  # nobody has answered yet
    ],
)
def test_needs_review_flags_items_outside_the_thresholds(item_facility, discrimination, respondents, expected):
    assert needs_review(facility=item_facility, discrimination=discrimination, respondents=respondents) is expected


def test_review_and_evidence_thresholds_are_module_constants():
    assert analysis.FACILITY_TOO_HARD == 0.2
    assert analysis.FACILITY_TOO_EASY == 0.95
    assert analysis.DISCRIMINATION_MINIMUM == 0.2
    assert analysis.MIN_FIRST_ATTEMPTS_TO_JUDGE == 20
    assert analysis.MIN_ATTEMPTS_FOR_ALPHA == 30


def test_alpha_is_shown_from_its_minimum_of_first_attempts_and_otherwise_says_why_not():
    sound = HAND_EXAMPLE * 6  # 30 respondents; alpha as for the five, since the rows repeat
    too_few = sound[:29]

    assert alpha_shown(sound) == (pytest.approx(cronbach_alpha(sound)), "")
    assert alpha_shown(too_few) == (None, "not shown below 30 first attempts (there are 29)")
    assert alpha_shown([[1]] * 30) == (None, "not defined for a quiz of fewer than two questions")
    assert alpha_shown([[1, 0]] * 30) == (None, "not defined: every trainee has the same total score")


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
def test_quiz_analysis_of_the_hand_example_matches_the_hand_computation_in_points(monkeypatch):
    monkeypatch.setattr(analysis, "MIN_ATTEMPTS_FOR_ALPHA", 5)  # to see the hand example's alpha
    quiz = make_quiz(questions=3)
    for row in HAND_EXAMPLE:
        take(quiz, answers=row)

    result = quiz_item_analysis(quiz)

    assert result.respondents == 5 and result.question_count == 3 and result.points_possible == 30
    # Each right answer is 10 points, as trainees see it: totals 30, 20, 20, 10, 0.
    assert result.mean == pytest.approx(16)
    assert result.median == 20
    assert result.standard_deviation == pytest.approx(10 * math.sqrt(1.3))
    assert result.alpha == pytest.approx(0.75 / 1.3)  # the same in any unit
    assert [item.question for item in result.items] == questions_of(quiz)
    assert [item.facility for item in result.items] == pytest.approx([0.8, 0.4, 0.4])
    assert [item.mean_points for item in result.items] == pytest.approx([8, 4, 4])
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
    assert result.mean == 5


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
    # In points, as the trainees were scored: A and B 10, A and C 0 (the wrong pick cancels), A alone 5.
    assert item.mean_points == pytest.approx(5) and item.facility == pytest.approx(0.5)


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
    assert result.mean == 10  # totals 10, 20, 0


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
    assert result.alpha_not_shown == "not shown below 30 first attempts (there are 0)"
    assert all(item.facility is None and not item.needs_review for item in result.items)
    assert all(option.count == 0 for item in result.items for option in item.option_counts)


@pytest.mark.django_db
def test_items_everyone_gets_right_are_flagged_for_review_from_the_threshold():
    quiz = make_quiz(questions=3)
    for number in range(analysis.MIN_FIRST_ATTEMPTS_TO_JUDGE):
        take(quiz, answers=[1, number % 2, number % 2])  # the other two separate trainees perfectly

    result = quiz_item_analysis(quiz)

    assert result.judged and result.items[0].judged
    assert result.items[0].point_biserial is None and result.items[0].needs_review
    assert result.items_needing_review == (result.items[0],)


@pytest.mark.django_db
def test_below_the_threshold_the_figures_are_given_but_no_item_is_flagged():
    quiz = make_quiz(questions=2)
    for number in range(analysis.MIN_FIRST_ATTEMPTS_TO_JUDGE - 1):
        take(quiz, answers=[1, number % 2])

    result = quiz_item_analysis(quiz)

    assert not result.judged and not any(item.judged for item in result.items)
    assert result.items[0].facility == 1.0 and result.items[1].facility == pytest.approx(9 / 19)
    assert result.items_needing_review == ()


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
    answer_submit(attempt=first, question=single, chosen=right_choices(single), confidence="high")
    answer_submit(attempt=first, question=multiple, chosen=list(multiple.choices.all())[1:2])
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
        "attempt_kind",
        "mode",
        "question",
        "chosen",
        "click_x",
        "click_y",
        "right",
        "points",
        "confidence",
        "seconds_taken",
        "answered_at",
        "question_version",
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
        "quiz",
        "tutor",
        "multiple",
        "Second",
        "",
        "",
        "no",
        "5",  # one of the two right options: half the question's 10 points
        "",
        "42",
        responses[(first.pk, "multiple")].answered_at.isoformat(),
        "1",
        "",
        "",
        "",
    ]
    columns = [dict(zip(header, row, strict=True)) for row in rows]
    assert [(row["attempt_id"], row["question"], row["chosen"], row["right"], row["points"]) for row in columns] == [
        (str(first.pk), "single", "Right", "yes", "10"),
        (str(first.pk), "multiple", "Second", "no", "5"),
        (str(second.pk), "single", "Wrong", "no", "0"),
    ]
    assert [row["confidence"] for row in columns] == ["high", "", ""]
    assert timezone.datetime.fromisoformat(columns[0]["answered_at"]) == responses[(first.pk, "single")].answered_at


@pytest.mark.django_db
def test_csv_rows_say_each_attempts_kind_and_mode():
    quiz = make_quiz(questions=1, exam_minutes=10)
    (question,) = questions_of(quiz)
    user = make_user()
    take(quiz, user, answers=[0])
    practice = mistakes_start(user=user, quiz=quiz)
    answer_submit(attempt=practice, question=question, chosen=right_choices(question))
    exam = take(quiz, answers=[1])
    Attempt.objects.filter(pk=exam.pk).update(mode=Attempt.Mode.EXAM)

    header, *rows = list(responses_csv_rows(quiz))

    kinds = {(row[header.index("attempt_kind")], row[header.index("mode")]) for row in rows}
    assert kinds == {("quiz", "tutor"), ("mistakes", "tutor"), ("quiz", "exam")}


@pytest.mark.django_db
def test_csv_rows_give_a_hotspot_answers_click_position_and_none_for_no_abnormality():
    from tests.factories import make_hotspot_question

    quiz = make_quiz(questions=0)
    question = make_hotspot_question(quiz=quiz, allow_no_abnormality=True)
    for point in [(0.5, 0.55), (1 / 3, 0.9), None]:
        attempt = attempt_start(user=make_user(), quiz=quiz)
        answer_submit(attempt=attempt, question=question, point=point)

    header, *rows = list(responses_csv_rows(quiz))

    x, y, right, points = (header.index(name) for name in ("click_x", "click_y", "right", "points"))
    assert [(row[x], row[y], row[right], row[points]) for row in rows] == [
        ("0.5000", "0.5500", "yes", "10"),
        ("0.3333", "0.9000", "no", "0"),
        ("", "", "no", "0"),  # "No abnormality" on an image with a target
    ]


@pytest.mark.django_db
def test_the_csv_takes_the_same_number_of_queries_for_2_and_20_attempts():
    small, large = make_quiz(questions=2), make_quiz(questions=3)
    for _ in range(2):
        take(small, answers=[1, 0])
    for number in range(20):
        take(large, answers=[number % 2, 1, None])

    with CaptureQueriesContext(connection) as small_queries:
        list(responses_csv_rows(small))
    with CaptureQueriesContext(connection) as large_queries:
        list(responses_csv_rows(large))

    # The stems' numbers in their questions; the responses, then their options chosen and their matches per stem.
    assert len(small_queries) == len(large_queries) == 4


@pytest.mark.django_db
def test_the_csv_and_the_analysis_can_be_narrowed_to_some_attempts():
    quiz = make_quiz(questions=1)
    kept, left_out = make_user(), make_user()
    take(quiz, kept, answers=[1])
    take(quiz, left_out, answers=[0])
    theirs = Attempt.objects.filter(user=kept)

    _header, *rows = list(responses_csv_rows(quiz, attempts=theirs))
    result = quiz_item_analysis(quiz, attempts=theirs)

    assert [row[1] for row in rows] == [kept.username]
    assert result.respondents == 1 and result.items[0].facility == 1.0


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


# --- The admin's analysis page ---------------------------------------------------------------


@pytest.fixture
def educator_client(client, db):
    from quizzes.services.educators import educator_create

    client.force_login(educator_create(username="teacher", password="a-long-educator-pass-1", display_name="T"))
    return client


def analysis_page(client, quiz) -> str:
    return client.get(reverse("admin:quizzes_quiz_analysis", args=[quiz.pk])).content.decode()


def finished_by(quiz, trainees: int, answers) -> None:
    """`trainees` first attempts, the nth answering as answers(n) says (per question: 1 right, 0 wrong)."""
    for number in range(trainees):
        take(quiz, answers=answers(number))


def test_below_the_threshold_the_page_shows_the_figures_with_too_few_attempts_to_judge_and_no_flags(educator_client):
    quiz = make_quiz(questions=2)
    finished_by(quiz, 19, lambda number: [1, number % 2])  # the first is too easy, judged by the figures alone

    page = analysis_page(educator_client, quiz)

    assert "19 first attempts: too few attempts to judge." in page
    assert page.count("Not yet: too few attempts to judge") == 2
    assert "Needs review</strong>" not in page and 'class="needs-review"' not in page
    assert "<td>10.0</td>" in page and "<td>4.7</td>" in page  # each question's mean points of 10 (9 of 19 right)
    assert "14.7 of 20 points" in page  # the mean score, in the points trainees see
    assert "– (not shown below 30 first attempts (there are 19))" in page


def test_from_the_threshold_the_page_flags_items_and_drops_the_warning(educator_client):
    quiz = make_quiz(questions=3)
    finished_by(quiz, 20, lambda number: [1, number % 2, number % 2])

    page = analysis_page(educator_client, quiz)

    assert "too few attempts to judge" not in page
    assert page.count("Needs review</strong>") == 1 and page.count('class="needs-review"') == 1
    assert page.count("<td>OK</td>") == 2
    assert "– (not shown below 30 first attempts (there are 20))" in page  # alpha needs 30


def test_alpha_is_shown_from_its_minimum(educator_client):
    quiz = make_quiz(questions=3)
    finished_by(quiz, 30, lambda number: HAND_EXAMPLE[number % 5])

    page = analysis_page(educator_client, quiz)

    assert f"<td>{0.75 / 1.3:.2f}</td>" in page  # the hand example's alpha: the rows repeat six times


def test_each_item_shows_its_stem_as_plain_text_cut_short(educator_client):
    quiz = make_quiz(questions=0)
    make_question(quiz=quiz, stem="Which **primary** spreads [by blood](https://example.org)?\n\n" + "word " * 60)

    page = analysis_page(educator_client, quiz)

    assert '<span class="item-stem">Which primary spreads by blood? word word' in page
    assert "**primary**" not in page and "word …" not in page and "word…</span>" in page


QUERIES_FOR_THE_PAGE = 13


def test_the_page_takes_the_same_number_of_queries_for_2_and_20_trainees(educator_client, django_assert_num_queries):
    from tests.factories import make_hotspot_question

    small, large = make_quiz(questions=2), make_quiz(questions=5)
    make_hotspot_question(quiz=large, order=6)
    finished_by(small, 2, lambda number: [1, 0])
    for number in range(20):
        attempt = take(large, answers=[number % 2, 1, 0, 1, 1, None], finish=False)
        answer_submit(attempt=attempt, question=questions_of(large)[5], point=(0.5, 0.5))
        attempt_finish(attempt=attempt)

    # The session, the user, the user's and their groups' permissions, the quiz, and the analysis's eight.
    with django_assert_num_queries(QUERIES_FOR_THE_PAGE):
        analysis_page(educator_client, small)
    with django_assert_num_queries(QUERIES_FOR_THE_PAGE):
        analysis_page(educator_client, large)


@pytest.mark.django_db
def test_each_item_covers_its_questions_current_version_and_says_so():
    quiz = make_quiz(questions=2)
    for answers in ([1, 1], [0, 1], [0, 0]):
        take(quiz, answers=answers)
    first = questions_of(quiz)[0]
    changed = timezone.now() + timedelta(days=1)
    with time_is(changed), educator_change(first):
        first.stem = "Reworded?"
        first.save()
    for answers in ([1, 0], [1, 1]):
        take(quiz, answers=answers)

    result = quiz_item_analysis(quiz)

    changed_item, unchanged_item = result.items
    # The three first attempts that answered version 1 are left out of its figures: 2 of 2 right since.
    assert (changed_item.question.version, changed_item.earlier_answers) == (2, 3)
    assert changed_item.question.version_since == changed
    assert (changed_item.respondents, changed_item.answered, changed_item.facility) == (2, 2, 1.0)
    assert [option.count for option in changed_item.option_counts] == [2, 0, 0, 0]
    assert (unchanged_item.question.version, unchanged_item.question.version_since) == (1, None)
    assert (unchanged_item.respondents, unchanged_item.earlier_answers, unchanged_item.facility) == (5, 0, 0.6)
    # Quiz totals keep every answer as it was scored.
    assert result.respondents == 5 and result.mean == pytest.approx(60 / 5)  # points


@pytest.mark.django_db
def test_the_analysis_page_says_which_version_each_question_covers(admin_client):
    quiz = make_quiz(questions=1)
    take(quiz, answers=[1])
    question = questions_of(quiz)[0]
    with educator_change(question):
        question.stem = "Reworded?"
        question.save()

    html = admin_client.get(reverse("admin:quizzes_quiz_analysis", args=[quiz.pk])).content.decode()

    assert "Version 2, since" in html and "1 first attempt at earlier versions left out" in html


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
    assert first.stem.text == "Cavitating nodules"
    assert item.facility == pytest.approx((10 + 5 + 2 + 0) / 40)  # points earned of the points there were


@pytest.mark.django_db
def test_the_csv_holds_what_was_typed_what_it_matched_and_each_stems_option():
    quiz = make_quiz(questions=0)
    make_short_answer_question(quiz=quiz, order=1)
    make_matching_question(quiz=quiz, order=2)
    typed, matching = questions_of(quiz)
    attempt = attempt_start(user=make_user(), quiz=quiz)
    answer_submit(attempt=attempt, question=typed, typed="=metastases")
    answer_submit(attempt=attempt, question=matching, matches=stem_answers(matching, right=3))

    header, typed_row, matching_row = list(responses_csv_rows(quiz))

    typed_at = header.index("typed_answer")
    assert typed_row[typed_at:] == ["'=metastases", "metastases", ""]
    assert matching_row[typed_at:] == [
        "",
        "",
        "1: Squamous cell carcinoma | 2: Thyroid carcinoma | 3: Osteosarcoma | 4: Breast",
    ]
