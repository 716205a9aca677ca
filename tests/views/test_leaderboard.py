"""The leaderboard pages: ranks and ties, the viewer's own row, weeks, per quiz, privacy, HTMX tabs,
CSV for educators only, settings, and queries that do not grow with the cohort."""

import csv
import datetime
import io
import re
from zoneinfo import ZoneInfo

import pytest
from django.core.management import call_command
from django.db import connection
from django.db.models import QuerySet
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from quizzes.models import Quiz, User
from quizzes.services.attempts import answer_submit, attempt_start
from quizzes.services.educators import educator_create
from tests.factories import HTMX, make_quiz, make_user, questions_of, right_choices, wrong_choices

pytestmark = pytest.mark.django_db
DUBLIN = ZoneInfo("Europe/Dublin")


@pytest.fixture
def educator(db):
    return educator_create(username="teacher", password="a-long-educator-pass-1", display_name="Dr Teacher")


def take(user, quiz, right: int):
    """Answer every question of a new attempt at `quiz`: the first `right` rightly, the rest wrongly."""
    attempt = attempt_start(user=user, quiz=quiz)
    for number, question in enumerate(questions_of(quiz)):
        chosen = right_choices(question) if number < right else wrong_choices(question)[:1]
        answer_submit(attempt=attempt, question=question, chosen=chosen)
    return attempt


def board_rows(html: str) -> list[tuple[str, ...]]:
    """The leaderboard table's body rows as tuples of cell text, in order (the viewer's own row last)."""
    table = html.split('<table class="leaderboard">')[1].split("</table>")[0]
    rows = []
    for row in re.findall(r"<tr[^>]*>(.*?)</tr>", table.split("</thead>")[1], re.S):
        cells = re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", row, re.S)
        rows.append(tuple(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", "", cell)).strip() for cell in cells))
    return rows


def get_board(client, **params):
    response = client.get(reverse("leaderboard"), params)
    assert response.status_code == 200
    return response.content.decode()


def test_the_leaderboard_needs_a_login(client):
    response = client.get(reverse("leaderboard"))

    assert response.status_code == 302 and response["Location"].startswith(reverse("login"))


def test_equal_points_share_a_rank_and_the_next_rank_is_skipped(trainee_client, trainee):
    quiz = make_quiz(questions=3)
    ada, bea, cal = (make_user(display_name=name) for name in ("Ada", "Bea", "Cal"))
    take(ada, quiz, 3)
    take(bea, quiz, 2)
    take(cal, quiz, 2)
    take(trainee, quiz, 1)

    rows = board_rows(get_board(trainee_client))

    assert [(rank, name, points) for rank, name, points, *_ in rows] == [
        ("1", "Ada", "30"),
        ("2", "Bea", "20"),
        ("2", "Cal", "20"),
        ("4", f"{trainee.display_name} You", "10"),
    ]
    assert rows[0][3:] == ("100%", "3")  # accuracy, questions answered


def test_trainees_see_display_names_never_usernames(trainee_client):
    take(make_user(username="secret-login-name", display_name="Dr Visible"), make_quiz(), 2)

    html = get_board(trainee_client)

    assert "Dr Visible" in html and "secret-login-name" not in html
    assert "Username" not in html


def test_a_hidden_trainee_is_shown_anonymously_to_others_and_by_name_to_themselves(trainee_client, trainee):
    quiz = make_quiz()
    hidden = make_user(display_name="Dr Hidden")
    User.objects.filter(pk=hidden.pk).update(hide_from_leaderboard=True)
    take(hidden, quiz, 3)
    take(trainee, quiz, 1)

    others_see = get_board(trainee_client)
    hidden_client = Client()
    hidden_client.force_login(hidden)
    own_view = get_board(hidden_client)

    assert board_rows(others_see)[0][:3] == ("1", "Anonymous trainee", "30")  # left in: every rank stays true
    assert board_rows(others_see)[1][0] == "2"
    assert "Dr Hidden" not in others_see
    assert board_rows(own_view)[0][1] == "Dr Hidden You hidden from trainees"
    assert "You are hidden" in own_view


def test_the_viewers_own_row_is_shown_after_the_top_20_with_its_true_rank(trainee_client, trainee):
    quiz = make_quiz(questions=3)
    for n in range(22):
        take(make_user(display_name=f"Strong {n}"), quiz, 3 if n < 21 else 2)
    take(trainee, quiz, 1)

    rows = board_rows(get_board(trainee_client))

    assert len(rows) == 21
    assert [row[0] for row in rows[:20]] == ["1"] * 20  # 21 trainees tie on 30 points
    assert rows[20][:3] == ("23", f"{trainee.display_name} You", "10")


def test_a_viewer_inside_the_top_20_is_marked_once_and_not_repeated(trainee_client, trainee):
    quiz = make_quiz()
    take(trainee, quiz, 3)
    take(make_user(), quiz, 1)

    html = get_board(trainee_client)

    assert html.count('class="is-viewer"') == 1 and "own-standing" not in html
    assert board_rows(html)[0][1] == f"{trainee.display_name} You"


def test_a_viewer_without_counted_answers_is_told_how_to_get_on_the_board(trainee_client, trainee):
    quiz = make_quiz()
    take(make_user(), quiz, 2)
    take(trainee, make_quiz(), 0)  # counted answers elsewhere do not put the trainee on this quiz's board

    html = get_board(trainee_client, board="quiz", quiz=quiz.slug)

    assert "You are not on this leaderboard yet" in html and 'class="is-viewer"' not in html


def test_the_weekly_board_counts_answers_from_monday_to_sunday_in_the_site_time_zone(trainee_client, trainee, travel):
    quiz, other = make_quiz(questions=2), make_quiz(questions=2)
    early, late = make_user(display_name="Early bird"), make_user(display_name="Night owl")
    travel(datetime.datetime(2026, 6, 28, 23, 59, tzinfo=DUBLIN))  # the last minute of a Sunday
    take(early, quiz, 2)
    travel(datetime.datetime(2026, 6, 29, 0, 0, tzinfo=DUBLIN))  # Monday 00:00: 23:00 UTC on Sunday
    take(late, quiz, 1)
    take(early, other, 1)
    travel(datetime.datetime(2026, 7, 5, 23, 59, tzinfo=DUBLIN))  # still that week, on its Sunday night

    this_week = board_rows(get_board(trainee_client, board="week"))
    all_time = board_rows(get_board(trainee_client))

    assert [row[1:3] for row in this_week] == [("Early bird", "10"), ("Night owl", "10")]
    assert [row[1:3] for row in all_time] == [("Early bird", "30"), ("Night owl", "10")]
    assert "Monday 29 June to Sunday 5 July 2026" in get_board(trainee_client, board="week")
    travel(datetime.datetime(2026, 7, 6, 0, 0, tzinfo=DUBLIN))  # a new week starts empty
    assert "No answers have counted this week yet" in get_board(trainee_client, board="week")


def test_the_per_quiz_board_counts_only_that_quiz_and_offers_every_published_quiz(trainee_client, trainee):
    first, second = make_quiz(title="Cannonball"), make_quiz(title="Miliary")
    draft = make_quiz(title="Draft quiz", status="draft")
    take(make_user(display_name="Only first"), first, 3)
    take(make_user(display_name="Only second"), second, 1)

    html = get_board(trainee_client, board="quiz", quiz=second.slug)

    assert [row[1:3] for row in board_rows(html)] == [("Only second", "10")]
    assert f'<option value="{second.slug}" selected>Miliary</option>' in html
    assert f'<option value="{first.slug}">Cannonball</option>' in html and draft.title not in html
    assert trainee_client.get(reverse("leaderboard"), {"board": "quiz", "quiz": draft.slug}).status_code == 404


def test_the_per_quiz_tab_without_a_quiz_shows_the_first_quiz(trainee_client):
    quiz = make_quiz(title="Alpha quiz")
    take(make_user(display_name="Alpha taker"), quiz, 1)

    html = get_board(trainee_client, board="quiz")

    assert [row[1] for row in board_rows(html)] == ["Alpha taker"]


def test_an_unknown_board_is_not_found(trainee_client):
    assert trainee_client.get(reverse("leaderboard"), {"board": "yesterday"}).status_code == 404


def test_the_tabs_are_links_that_work_without_javascript_and_mark_the_current_board(trainee_client):
    html = get_board(trainee_client, board="week")

    nav = html.split('aria-label="Leaderboards"')[1].split("</nav>")[0]
    week = f"{reverse('leaderboard')}?board=week"
    assert f'href="{week}" hx-get="{week}" aria-current="page"' in nav
    assert nav.count("aria-current") == 1 and nav.count("hx-get") == 3
    assert 'hx-target="#board"' in nav and 'hx-push-url="true"' in nav


def test_an_htmx_request_gets_the_board_fragment_with_its_title(trainee_client, trainee):
    take(trainee, make_quiz(), 1)

    response = trainee_client.get(reverse("leaderboard"), {"board": "week"}, **HTMX)

    html = response.content.decode()
    assert "<html" not in html and '<div id="board"' in html
    assert html.lstrip().startswith("<title>This week · Leaderboard")
    assert "HX-Request" in response["Vary"]
    assert board_rows(html)[0][1] == f"{trainee.display_name} You"


def test_htmx_restoring_history_gets_the_whole_page(trainee_client):
    response = trainee_client.get(
        reverse("leaderboard"), {"board": "week"}, **HTMX, HTTP_HX_HISTORY_RESTORE_REQUEST="true"
    )

    assert "<html" in response.content.decode()


def test_educators_see_usernames_in_an_extra_column_and_a_csv_link(client, educator):
    take(make_user(username="ada-login", display_name="Ada"), make_quiz(), 2)
    client.force_login(educator)

    html = get_board(client)

    assert '<th scope="col">Username</th>' in html
    assert board_rows(html)[0][:3] == ("1", "Ada", "ada-login")
    assert f'href="{reverse("leaderboard_export")}?board=all"' in html


def test_csv_export_is_for_educators_only(client, trainee_client):
    url = reverse("leaderboard_export")

    assert trainee_client.get(url).status_code == 403
    client.logout()
    assert client.get(url).status_code == 403


def test_the_csv_holds_the_whole_board_in_rank_order_with_usernames_and_hidden_trainees(client, educator):
    quiz = make_quiz(questions=3)
    for n, right in enumerate([3, 2, 2] + [1] * 25):
        user = make_user(username=f"login-{n}", display_name=f"Name {n}")
        take(user, quiz, right)
    User.objects.filter(username="login-1").update(hide_from_leaderboard=True, display_name="=HYPERLINK(1)")
    client.force_login(educator)

    response = client.get(reverse("leaderboard_export"), {"board": "quiz", "quiz": quiz.slug})

    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    assert f'filename="leaderboard-quiz-{quiz.pk}.csv"' in response["Content-Disposition"]
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode())))
    assert rows[0] == [
        "rank",
        "display_name",
        "username",
        "hidden",
        "points",
        "accuracy_percent",
        "answered",
        "correct",
    ]
    assert len(rows) == 1 + 28  # everyone, not only the top 20
    assert rows[1] == ["1", "Name 0", "login-0", "no", "30", "100", "3", "3"]
    assert rows[2] == ["2", "'=HYPERLINK(1)", "login-1", "yes", "20", "67", "3", "2"]  # text, not a formula
    assert rows[3][0] == "2" and rows[4][0] == "4" and rows[-1][0] == "4"


def test_settings_show_the_current_choices_and_save_new_ones(trainee_client, trainee):
    page = trainee_client.get(reverse("leaderboard_settings")).content.decode()
    assert f'value="{trainee.display_name}"' in page and "Hide me from other trainees" in page

    response = trainee_client.post(
        reverse("leaderboard_settings"), {"display_name": "Dr Quiet", "hide_from_leaderboard": "on"}, follow=True
    )

    trainee.refresh_from_db()
    assert trainee.display_name == "Dr Quiet" and trainee.hide_from_leaderboard
    assert response.redirect_chain[-1][0] == reverse("leaderboard")
    assert "Your leaderboard settings are saved." in response.content.decode()


def test_settings_refuse_an_empty_display_name_and_change_nothing(trainee_client, trainee):
    name = trainee.display_name

    response = trainee_client.post(reverse("leaderboard_settings"), {"display_name": "", "hide_from_leaderboard": "on"})

    trainee.refresh_from_db()
    assert response.status_code == 200 and "This field is required." in response.content.decode()
    assert trainee.display_name == name and not trainee.hide_from_leaderboard


def test_settings_need_a_login(client):
    response = client.get(reverse("leaderboard_settings"))

    assert response.status_code == 302 and response["Location"].startswith(reverse("login"))


def board_query_count(client, board: dict) -> int:
    with CaptureQueriesContext(connection) as queries:
        html = get_board(client, **board)
    rows = board_rows(html)
    assert len(rows) == 21 and rows[-1][1].endswith("You")  # the top 20, then the viewer's own row
    return len(queries)


@pytest.mark.parametrize("board", ["all", "week", "quiz"])
def test_a_board_costs_the_same_queries_with_40_and_400_trainees(client, board, travel):
    travel(datetime.datetime(2026, 7, 5, 20, 0, tzinfo=DUBLIN))  # Sunday evening: the week is nearly full
    counts = []
    for size, prefix in ((40, "small"), (400, "large")):
        call_command(
            "seed_benchmark", users=size, questions=10, responses=size * 10, weeks=1, prefix=prefix, stdout=None
        )
        quiz = Quiz.objects.get(slug=f"{prefix}-quiz-0")
        viewer = make_user()
        take(viewer, quiz, 0)  # counted, but no points: the viewer is at the bottom of every board
        client.force_login(viewer)
        counts.append(board_query_count(client, {"board": board} | ({"quiz": quiz.slug} if board == "quiz" else {})))
    # session, user, the top 20 with their users (in one round trip: no server-side cursor), the viewer's
    # row with its rank, the header's count of cohort assignments due; the per-quiz board adds the
    # published quizzes. A trainee is not staff, so no permission is looked up.
    assert counts[0] == counts[1] == (6 if board == "quiz" else 5)


def test_a_boards_top_rows_are_read_at_once_not_streamed(trainee_client, trainee, monkeypatch):
    # On PostgreSQL .iterator() reads through a server-side cursor: a round trip per fetch, and more.
    take(trainee, make_quiz(questions=2), 1)

    def streamed(*args, **kwargs):
        raise AssertionError("the top of the board was read through a streaming cursor")

    monkeypatch.setattr(QuerySet, "iterator", streamed)
    rows = board_rows(get_board(trainee_client))

    assert len(rows) == 1 and rows[0][1].endswith("You")
