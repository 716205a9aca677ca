"""The cohort pages: joining by link and by code, leaving, what owners change, the results (per
assignment with the cohort's item analysis, per trainee, CSV), the cohort's leaderboard, the home page
and header, permissions (404 for anyone neither owner nor member), CSRF, and fixed query counts."""

import csv
import datetime
import io
from zoneinfo import ZoneInfo

import pytest
from django.core.cache import cache
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from quizzes.models import Assignment, Attempt, Cohort, CohortMembership, LeaderboardEntry, User
from quizzes.rich_text import MAX_CHARS
from quizzes.services.attempts import attempt_finish
from quizzes.services.cohorts import assignment_create, cohort_code_close
from tests.factories import make_cohort, make_educator, make_quiz, make_user, take_quiz
from tests.views.test_leaderboard import board_rows

pytestmark = pytest.mark.django_db
DUBLIN = ZoneInfo("Europe/Dublin")
# Monday 2 March 2026, 09:00: the cohort's quizzes are set then, due on Friday at 17:00.
START = datetime.datetime(2026, 3, 2, 9, 0, tzinfo=DUBLIN)
DUE = datetime.datetime(2026, 3, 6, 17, 0, tzinfo=DUBLIN)
HOUR = datetime.timedelta(hours=1)


def client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def html_of(response) -> str:
    assert response.status_code == 200, response.status_code
    return response.content.decode()


def messages_of(response) -> list[str]:
    return [str(message) for message in response.wsgi_request._messages]


def finish_quiz(user, quiz, verdicts):
    return attempt_finish(attempt=take_quiz(user, quiz, verdicts))


@pytest.fixture
def world(db, travel):
    """Dr Owner's cohort "First-years" with Ada, Bea, Cal and Dee, and the miliary quiz assigned from Monday
    09:00, due Friday 17:00. Outside it: another educator and a trainee of another cohort."""
    travel(START)
    owner = make_educator(username="owner")
    quiz = make_quiz(questions=2, title="Miliary pattern", exam_minutes=20)
    ada, bea, cal, dee = (make_user(username=n.lower(), display_name=f"Dr {n}") for n in ("Ada", "Bea", "Cal", "Dee"))
    cohort = make_cohort(owner=owner, members=[ada, bea, cal, dee], name="First-years")
    assignment = assignment_create(cohort=cohort, quiz=quiz, mode="tutor", due_at=DUE, assigned_by=owner)
    other_educator = make_educator(username="other-educator")
    stranger = make_user(username="stranger", display_name="Dr Stranger")
    make_cohort(owner=other_educator, members=[stranger], name="Another cohort")
    return {
        "owner": owner,
        "quiz": quiz,
        "cohort": cohort,
        "assignment": assignment,
        "ada": ada,
        "bea": bea,
        "cal": cal,
        "dee": dee,
        "other_educator": other_educator,
        "stranger": stranger,
        "travel": travel,
    }


@pytest.fixture
def worked(world):
    """By Saturday: Ada finished on Tuesday (2 of 2), Bea on Saturday (late, 1 of 2), Cal started and did not
    finish, Dee did nothing. The stranger took the quiz too, outside the cohort (0 of 2)."""
    travel = world["travel"]
    travel(START + datetime.timedelta(days=1))
    finish_quiz(world["ada"], world["quiz"], [True, True])
    finish_quiz(world["stranger"], world["quiz"], [False, False])
    travel(START + datetime.timedelta(days=2))
    take_quiz(world["cal"], world["quiz"], [True])
    travel(DUE + datetime.timedelta(hours=16))  # Saturday 09:00
    finish_quiz(world["bea"], world["quiz"], [True, False])
    return world


# --- Joining and leaving ----------------------------------------------------------------------------


def test_the_join_link_names_the_cohort_asks_to_confirm_and_joins_on_post(world):
    newcomer = make_user(username="newcomer")
    client = client_for(newcomer)
    url = reverse("cohort_join_link", args=[world["cohort"].join_code])

    page = html_of(client.get(url))
    assert "Join “First-years”?" in page and "Join this cohort" in page and "Dr Educator" in page
    assert not CohortMembership.objects.filter(user=newcomer).exists()  # a GET changes nothing

    response = client.post(url)
    assert response.status_code == 302 and response["Location"] == world["cohort"].get_absolute_url()
    assert messages_of(response) == ["You joined “First-years”."]
    assert CohortMembership.objects.filter(cohort=world["cohort"], user=newcomer).exists()


def test_the_join_link_needs_a_login(world):
    url = reverse("cohort_join_link", args=[world["cohort"].join_code])

    response = Client().get(url)

    assert response.status_code == 302 and response["Location"].startswith(reverse("login"))


@pytest.mark.parametrize("closed", [False, True], ids=["wrong code", "closed code"])
def test_a_wrong_or_closed_code_is_refused_clearly_by_link_and_by_form_and_changes_nothing(world, closed):
    code = world["cohort"].join_code if closed else "WRONG234"
    if closed:
        cohort_code_close(cohort=world["cohort"])
    client = client_for(make_user())
    before = CohortMembership.objects.count()

    link_get = client.get(reverse("cohort_join_link", args=[code]))
    link_post = client.post(reverse("cohort_join_link", args=[code]))
    form_post = client.post(reverse("cohort_join"), {"code": code})

    message = f"No cohort is open to join with the code “{code}”"
    assert link_get.status_code == link_post.status_code == 404
    assert message in link_get.content.decode() and message in link_post.content.decode()
    assert form_post.status_code == 422 and message in form_post.content.decode()
    assert "First-years" not in link_get.content.decode()
    assert CohortMembership.objects.count() == before


def test_the_code_form_joins_with_the_code_as_typed(world):
    newcomer = make_user()
    code = world["cohort"].join_code

    response = client_for(newcomer).post(reverse("cohort_join"), {"code": f"{code[:4].lower()} {code[4:]}"})

    assert response.status_code == 302 and response["Location"] == world["cohort"].get_absolute_url()
    assert world["cohort"].memberships.filter(user=newcomer).exists()


def test_an_empty_code_is_asked_for_again(world):
    response = client_for(make_user()).post(reverse("cohort_join"), {"code": ""})

    assert response.status_code == 422 and "This field is required." in response.content.decode()


def test_a_member_following_the_link_or_typing_the_code_is_told_they_are_already_in(world):
    client = client_for(world["ada"])
    code = world["cohort"].join_code

    page = html_of(client.get(reverse("cohort_join_link", args=[code])))
    by_link = client.post(reverse("cohort_join_link", args=[code]))
    by_form = client.post(reverse("cohort_join"), {"code": code})

    assert "You are already a member of “First-years”." in page and "Join this cohort" not in page
    for response in (by_link, by_form):
        assert response.status_code == 302 and response["Location"] == world["cohort"].get_absolute_url()
        assert messages_of(response)[-1] == "You are already a member of “First-years”."
    assert world["cohort"].memberships.filter(user=world["ada"]).count() == 1


def test_an_owner_following_the_link_is_told_an_owner_cannot_join(world):
    page = html_of(client_for(world["owner"]).get(reverse("cohort_join_link", args=[world["cohort"].join_code])))

    assert "an owner cannot also be one of its trainees" in page and "Join this cohort" not in page


def test_leaving_asks_first_then_leaves_and_the_cohort_is_gone_for_the_trainee(world):
    client = client_for(world["ada"])
    url = reverse("cohort_leave", args=[world["cohort"].pk])

    page = html_of(client.get(url))
    assert "Leave “First-years”?" in page and world["cohort"].memberships.filter(user=world["ada"]).exists()

    response = client.post(url)
    assert response.status_code == 302 and messages_of(response) == ["You left “First-years”."]
    assert not world["cohort"].memberships.filter(user=world["ada"]).exists()
    assert client.get(world["cohort"].get_absolute_url()).status_code == 404


def test_trying_join_codes_is_rate_limited_and_past_the_limit_nothing_is_checked(world, settings):
    settings.RATE_LIMITS = settings.RATE_LIMITS | {"join": "2/600s"}
    cache.clear()
    client = client_for(make_user())

    first = client.post(reverse("cohort_join"), {"code": "WRONG234"})
    second = client.get(reverse("cohort_join_link", args=["WRONG345"]))
    third = client.post(reverse("cohort_join_link", args=[world["cohort"].join_code]))

    assert (first.status_code, second.status_code, third.status_code) == (422, 404, 429)
    assert "You have tried many join codes in a short time" in third.content.decode()
    assert CohortMembership.objects.filter(cohort=world["cohort"]).count() == 4
    cache.clear()


def test_every_post_needs_the_csrf_token(world):
    client = Client(enforce_csrf_checks=True)
    client.force_login(make_user())

    response = client.post(reverse("cohort_join_link", args=[world["cohort"].join_code]))

    assert response.status_code == 403
    assert CohortMembership.objects.filter(cohort=world["cohort"]).count() == 4


# --- What owners change ---------------------------------------------------------------------------


def test_an_educator_creates_a_cohort_and_owns_it(world):
    client = client_for(world["other_educator"])
    assert "New cohort" in html_of(client.get(reverse("cohort_list")))

    response = client.post(
        reverse("cohort_new"),
        {"name": "Rotation B", "description": "Chest *imaging*", "starts_on": "2026-03-01", "ends_on": "2026-05-31"},
    )

    cohort = Cohort.objects.get(name="Rotation B")
    assert response.status_code == 302 and response["Location"] == cohort.get_absolute_url()
    assert list(cohort.owners.all()) == [world["other_educator"]] and cohort.join_code
    page = html_of(client.get(cohort.get_absolute_url()))
    assert cohort.join_code in page and "<em>imaging</em>" in page


def test_a_trainee_cannot_create_a_cohort(world):
    client = client_for(world["ada"])

    assert "New cohort" not in html_of(client.get(reverse("cohort_list")))
    assert client.get(reverse("cohort_new")).status_code == 404
    assert client.post(reverse("cohort_new"), {"name": "Mine"}).status_code == 404
    assert not Cohort.objects.filter(name="Mine").exists()


def test_a_cohort_ending_before_it_starts_is_refused_with_the_form_again(world):
    url = reverse("cohort_edit", args=[world["cohort"].pk])
    data = {"name": "Renamed", "description": "", "starts_on": "2026-03-01", "ends_on": "2026-02-01"}

    response = client_for(world["owner"]).post(url, data)

    assert response.status_code == 422 and "The cohort cannot end before it starts." in response.content.decode()
    assert Cohort.objects.get(pk=world["cohort"].pk).name == "First-years"


def test_a_description_past_the_rich_text_limits_is_refused_with_the_form_again(world):
    url = reverse("cohort_edit", args=[world["cohort"].pk])
    data = {"name": "Renamed", "description": "x" * (MAX_CHARS + 1), "starts_on": "2026-03-01", "ends_on": "2026-05-31"}

    response = client_for(world["owner"]).post(url, data)

    assert response.status_code == 422 and "rich text may be at most" in response.content.decode()
    assert Cohort.objects.get(pk=world["cohort"].pk).name == "First-years"


def test_the_owner_makes_a_new_code_and_closes_joining(world):
    client = client_for(world["owner"])
    url = reverse("cohort_code", args=[world["cohort"].pk])
    old = world["cohort"].join_code

    client.post(url, {"action": "regenerate"})
    new = Cohort.objects.get(pk=world["cohort"].pk).join_code
    client.post(url, {"action": "close"})

    assert new != old and len(new) == 8
    assert Cohort.objects.get(pk=world["cohort"].pk).join_code is None
    assert "Joining is closed" in html_of(client.get(world["cohort"].get_absolute_url()))


def test_the_owner_adds_a_trainee_and_a_co_owner_by_username_and_hears_why_not(world):
    client = client_for(world["owner"])
    make_user(username="erin", display_name="Dr Erin")
    colleague = make_educator(username="colleague")

    added = client.post(reverse("cohort_member_new", args=[world["cohort"].pk]), {"trainee-username": "erin"})
    unknown = client.post(reverse("cohort_member_new", args=[world["cohort"].pk]), {"trainee-username": "nobody"})
    owner = client.post(reverse("cohort_owner_new", args=[world["cohort"].pk]), {"owner-username": "colleague"})
    trainee_as_owner = client.post(reverse("cohort_owner_new", args=[world["cohort"].pk]), {"owner-username": "erin"})

    assert messages_of(added)[-1] == "Dr Erin (erin) is now a trainee of “First-years”."
    assert messages_of(unknown)[-1] == "Nobody on the site has the username “nobody”."
    assert messages_of(owner)[-1] == f"{colleague.public_name} (colleague) is now an owner of “First-years”."
    assert messages_of(trainee_as_owner)[-1] == "“erin” is not an educator: only educators can own a cohort."
    assert world["cohort"].memberships.filter(user__username="erin").exists()
    assert colleague in world["cohort"].owners.all()
    # A co-owner sees the owners' page.
    assert "Trainees" in html_of(client_for(colleague).get(world["cohort"].get_absolute_url()))


def test_the_owner_assigns_a_quiz_in_exam_mode_only_where_it_is_offered(world):
    client = client_for(world["owner"])
    tutor_only = make_quiz(questions=1, title="Find the lesion")
    url = reverse("cohort_assignment_new", args=[world["cohort"].pk])

    form = html_of(client.get(url))
    refused = client.post(url, {"quiz": tutor_only.pk, "mode": "exam", "due_at": "2026-03-09T17:00"})
    assigned = client.post(url, {"quiz": tutor_only.pk, "mode": "tutor", "due_at": "2026-03-09T17:00"})

    assert "Find the lesion (tutor only)" in form and "Miliary pattern" not in form  # already assigned
    assert refused.status_code == 422 and "can only be assigned in tutor mode" in refused.content.decode()
    assert assigned.status_code == 302
    assignment = Assignment.objects.get(quiz=tutor_only)
    assert assignment.due_at == datetime.datetime(2026, 3, 9, 17, 0, tzinfo=DUBLIN) and assignment.opens_at is None


def test_an_assignment_must_open_before_it_is_due(world):
    url = reverse("cohort_assignment_edit", args=[world["cohort"].pk, world["assignment"].pk])
    data = {"mode": "tutor", "opens_at": "2026-03-07T09:00", "due_at": "2026-03-06T17:00"}

    response = client_for(world["owner"]).post(url, data)

    assert response.status_code == 422 and "It must open before it is due." in response.content.decode()


def test_the_owner_moves_the_due_date_and_the_late_trainee_is_on_time(worked):
    client = client_for(worked["owner"])
    url = reverse("cohort_assignment_edit", args=[worked["cohort"].pk, worked["assignment"].pk])

    client.post(url, {"mode": "tutor", "opens_at": "", "due_at": "2026-03-08T17:00"})

    rows = {row[0]: row[1] for row in results_rows(client, worked)}
    assert rows["Dr Bea (bea)"] == "Done"


def test_the_owner_takes_an_assignment_away_after_confirming(world):
    client = client_for(world["owner"])
    url = reverse("cohort_assignment_delete", args=[world["cohort"].pk, world["assignment"].pk])

    assert "Take away the assignment of “Miliary pattern”?" in html_of(client.get(url))
    client.post(url)

    assert not Assignment.objects.exists()


def test_the_owner_removes_a_trainee_after_confirming(world):
    client = client_for(world["owner"])
    url = reverse("cohort_member_remove", args=[world["cohort"].pk, world["dee"].pk])

    assert "Remove Dr Dee from “First-years”?" in html_of(client.get(url))
    client.post(url)

    assert not world["cohort"].memberships.filter(user=world["dee"]).exists()
    assert client.get(reverse("cohort_trainee", args=[world["cohort"].pk, world["dee"].pk])).status_code == 404


# --- Results for owners ------------------------------------------------------------------------------


def table_rows(html: str, marker: str) -> list[tuple[str, ...]]:
    """The body rows of the first table after `marker`, as tuples of cell text."""
    return board_rows('<table class="leaderboard">' + html.split(marker, 1)[1].split("<table", 1)[1])


def results_rows(client, world) -> list[tuple[str, ...]]:
    url = reverse("cohort_assignment", args=[world["cohort"].pk, world["assignment"].pk])
    return table_rows(html_of(client.get(url)), 'id="trainees-heading"')


def test_an_assignments_results_say_who_finished_on_time_or_late_who_is_on_it_and_who_has_not_started(worked):
    rows = results_rows(client_for(worked["owner"]), worked)

    assert rows == [
        ("Dr Ada (ada)", "Done", "Tue 3 Mar, 09:00", "20 / 20", "0 s"),
        ("Dr Bea (bea)", "Done late", "Sat 7 Mar, 09:00", "10 / 20", "0 s"),
        ("Dr Cal (cal)", "In progress, overdue", "–", "–", "–"),
        ("Dr Dee (dee)", "Not started, overdue", "–", "–", "–"),
    ]


def test_the_cohort_page_tallies_each_assignment_and_lists_overdue_work(worked):
    html = html_of(client_for(worked["owner"]).get(worked["cohort"].get_absolute_url()))

    assert table_rows(html, 'id="assignments-heading"') == [
        ("Miliary pattern: results", "Fri 6 Mar, 17:00", "1", "1", "1", "1")
    ]
    overdue = html.split('id="overdue-heading"')[1].split("</section>")[0]
    assert "Dr Cal" in overdue and "Dr Dee" in overdue and "Dr Ada" not in overdue and "Dr Bea" not in overdue
    assert ("Dr Bea", "bea", "1 of 1", "1", "0") in table_rows(html, 'id="trainees-heading"')
    assert "Dr Stranger" not in html


def test_the_item_analysis_counts_only_the_attempts_that_did_the_assignment_in_the_cohort(worked):
    url = reverse("cohort_assignment", args=[worked["cohort"].pk, worked["assignment"].pk])
    html = html_of(client_for(worked["owner"]).get(url))
    analysis = html.split('id="analysis-heading"')[1]

    # Ada (both right) and Bea (first right): the stranger (both wrong) and Cal's open attempt are left out.
    assert "From the 2 attempts that did this assignment" in analysis
    facilities = [row[1] for row in table_rows(analysis, "Quiz statistics")]
    assert facilities == ["1.00", "0.50"]


def test_a_trainees_page_shows_their_assignments_and_topic_accuracy_on_the_cohorts_quizzes_only(worked):
    elsewhere = make_quiz(questions=2, title="Not assigned")
    finish_quiz(worked["bea"], elsewhere, [False, False])
    url = reverse("cohort_trainee", args=[worked["cohort"].pk, worked["bea"].pk])

    html = html_of(client_for(worked["owner"]).get(url))

    assert table_rows(html, 'id="assignments-heading"') == [
        ("Miliary pattern", "Fri 6 Mar, 17:00", "Done late", "Sat 7 Mar, 09:00", "10 / 20", "0 s")
    ]
    assert table_rows(html, 'id="topics-heading"') == [(worked["quiz"].topic.name, "2", "1", "50%")]
    assert elsewhere.topic.name not in html


def test_the_csv_has_every_trainee_on_every_assignment_with_cells_a_spreadsheet_will_not_run(worked):
    User.objects.filter(pk=worked["dee"].pk).update(display_name="=HYPERLINK(1)")
    response = client_for(worked["owner"]).get(reverse("cohort_results_csv", args=[worked["cohort"].pk]))

    rows = list(csv.DictReader(io.StringIO(b"".join(response.streaming_content).decode())))

    assert response["Content-Disposition"] == 'attachment; filename="cohort-first-years-results.csv"'
    assert [(r["username"], r["status"], r["score"], r["max_score"]) for r in rows] == [
        ("ada", "done", "20", "20"),
        ("bea", "done_late", "10", "20"),
        ("cal", "in_progress", "", ""),
        ("dee", "not_started", "", ""),
    ]
    assert rows[3]["display_name"] == "'=HYPERLINK(1)" and rows[0]["percent"] == "100"


def test_an_exam_assignment_is_done_only_by_an_exam(world):
    travel = world["travel"]
    world["assignment"].delete()
    assignment = assignment_create(
        cohort=world["cohort"], quiz=world["quiz"], mode="exam", due_at=DUE, assigned_by=world["owner"]
    )
    travel(START + HOUR)
    finish_quiz(world["ada"], world["quiz"], [True, True])  # tutor mode
    from quizzes.services.attempts import attempt_start

    attempt_finish(attempt=attempt_start(user=world["bea"], quiz=world["quiz"], mode=Attempt.Mode.EXAM))

    url = reverse("cohort_assignment", args=[world["cohort"].pk, assignment.pk])
    rows = table_rows(html_of(client_for(world["owner"]).get(url)), 'id="trainees-heading"')
    assert [row[:2] for row in rows[:2]] == [("Dr Ada (ada)", "Not started"), ("Dr Bea (bea)", "Done")]


# --- The trainee's side: the cohort page, the home page and the header ---------------------------------


def test_a_member_sees_the_cohorts_assignments_and_its_board_never_the_owners_page(worked):
    html = html_of(client_for(worked["dee"]).get(worked["cohort"].get_absolute_url()))

    assert "Overdue" in html and "Miliary pattern" in html and "Cohort leaderboard" in html
    assert "Join code" not in html and "Dr Ada" not in html and worked["cohort"].join_code not in html


def test_home_lists_assignments_by_due_date_with_their_standing_and_the_header_counts_what_is_due(world):
    travel = world["travel"]
    later = make_quiz(questions=1, title="Cannonball")
    assignment_create(
        cohort=world["cohort"],
        quiz=later,
        mode="tutor",
        due_at=DUE + datetime.timedelta(days=7),
        assigned_by=world["owner"],
    )
    travel(DUE - datetime.timedelta(days=2))  # Wednesday 17:00
    client = client_for(world["ada"])

    html = html_of(client.get(reverse("home")))
    section = html.split('id="assignments-heading"')[1].split("</section>")[0]
    assert section.index("Miliary pattern") < section.index("Cannonball")
    assert "Due in 2 days" in section and "Due in 9 days" in section and "First-years" in section
    assert '<span class="count-badge">1<span class="visually-hidden"> assignment due soon or overdue' in html

    finish_quiz(world["ada"], world["quiz"], [True, False])
    html = html_of(client.get(reverse("home")))
    assert "Done" in html.split('id="assignments-heading"')[1] and "count-badge" not in html


def test_the_header_count_includes_overdue_work_and_leaves_out_ended_cohorts(world):
    world["travel"](DUE + HOUR)
    client = client_for(world["dee"])
    assert '<span class="count-badge">1<' in html_of(client.get(reverse("scoring")))

    Cohort.objects.filter(pk=world["cohort"].pk).update(ends_on=datetime.date(2026, 3, 5))
    assert "count-badge" not in html_of(client.get(reverse("scoring")))


def test_the_scoring_page_states_when_an_assignment_is_done(client):
    html = html_of(client.get(reverse("scoring")))

    assert "An assignment is done by your first attempt at the quiz that ends after the assignment opened." in html
    assert "done late" in html and "due within 2 days" in html


# --- The cohort's leaderboard ----------------------------------------------------------------------


def test_the_cohort_board_ranks_members_only_and_names_them_as_the_site_board_does(worked):
    User.objects.filter(pk=worked["ada"].pk).update(hide_from_leaderboard=True)
    url = reverse("cohort_leaderboard", args=[worked["cohort"].pk])

    as_bea = board_rows(html_of(client_for(worked["bea"]).get(url)))
    as_ada = board_rows(html_of(client_for(worked["ada"]).get(url)))
    as_owner = board_rows(html_of(client_for(worked["owner"]).get(url)))

    # Ada 20, Bea 10, Cal 10: the stranger (0 points, but on the site's board) is not in the cohort.
    assert [row[:3] for row in as_bea] == [
        ("1", "Anonymous trainee", "20"),
        ("2", "Dr Bea You", "10"),
        ("2", "Dr Cal", "10"),
    ]
    assert as_ada[0][:2] == ("1", "Dr Ada You hidden from trainees")
    assert as_owner[0][:3] == ("1", "Dr Ada hidden from trainees", "ada")  # educators see who it is, as site-wide


def test_ranks_on_the_cohort_board_are_counted_among_its_members(world):
    for _ in range(LeaderboardEntry.TOP + 5):  # stronger trainees outside the cohort
        LeaderboardEntry.objects.create(board="all", user=make_user(), points=100, answered=10, correct=10)
    LeaderboardEntry.objects.create(board="all", user=world["ada"], points=5, answered=1, correct=0)
    LeaderboardEntry.objects.create(board="all", user=world["bea"], points=50, answered=5, correct=5)
    url = reverse("cohort_leaderboard", args=[world["cohort"].pk])

    rows = board_rows(html_of(client_for(world["ada"]).get(url)))
    site = board_rows(html_of(client_for(world["ada"]).get(reverse("leaderboard"))))

    assert [row[:3] for row in rows] == [("1", "Dr Bea", "50"), ("2", "Dr Ada You", "5")]
    assert site[-1][:2] == (str(LeaderboardEntry.TOP + 7), "Dr Ada You")  # site-wide, 26 above her


def test_the_per_quiz_cohort_board_counts_only_that_quiz(worked):
    other = make_quiz(questions=1, title="Other quiz")
    finish_quiz(worked["dee"], other, [True])
    url = reverse("cohort_leaderboard", args=[worked["cohort"].pk])

    miliary = board_rows(html_of(client_for(worked["dee"]).get(url, {"board": "quiz", "quiz": worked["quiz"].slug})))
    elsewhere = board_rows(html_of(client_for(worked["dee"]).get(url, {"board": "quiz", "quiz": other.slug})))

    assert [row[1] for row in miliary] == ["Dr Ada", "Dr Bea", "Dr Cal"]
    assert [row[:3] for row in elsewhere] == [("1", "Dr Dee You", "10")]


def test_the_cohort_board_tabs_stay_on_the_cohort_board_and_offer_no_site_wide_csv(worked):
    url = reverse("cohort_leaderboard", args=[worked["cohort"].pk])

    html = html_of(client_for(worked["owner"]).get(url, {"board": "week"}))

    nav = html.split('aria-label="Leaderboards"')[1].split("</nav>")[0]
    assert f'href="{url}?board=week" hx-get="{url}?board=week" aria-current="page"' in nav
    assert f'"{reverse("leaderboard")}' not in nav
    assert "Download this leaderboard" not in html and "You are not on this leaderboard yet" not in html


# --- Permissions: a rule in the queryset, so no URL forgets it ---------------------------------------------


def cohort_urls(world) -> list[tuple[str, str, dict]]:
    """Every URL of one cohort, with the method and data it takes."""
    cohort, assignment, ada = world["cohort"].pk, world["assignment"].pk, world["ada"].pk
    return [
        ("get", reverse("cohort_detail", args=[cohort]), {}),
        ("get", reverse("cohort_edit", args=[cohort]), {}),
        (
            "post",
            reverse("cohort_edit", args=[cohort]),
            {"name": "X", "starts_on": "2026-01-01", "ends_on": "2026-02-01"},
        ),
        ("post", reverse("cohort_code", args=[cohort]), {"action": "close"}),
        ("get", reverse("cohort_leave", args=[cohort]), {}),
        ("post", reverse("cohort_leave", args=[cohort]), {}),
        ("get", reverse("cohort_leaderboard", args=[cohort]), {}),
        ("get", reverse("cohort_results_csv", args=[cohort]), {}),
        ("post", reverse("cohort_owner_new", args=[cohort]), {"owner-username": "other-educator"}),
        ("post", reverse("cohort_member_new", args=[cohort]), {"trainee-username": "stranger"}),
        ("get", reverse("cohort_trainee", args=[cohort, ada]), {}),
        ("get", reverse("cohort_member_remove", args=[cohort, ada]), {}),
        ("post", reverse("cohort_member_remove", args=[cohort, ada]), {}),
        ("get", reverse("cohort_assignment_new", args=[cohort]), {}),
        ("post", reverse("cohort_assignment_new", args=[cohort]), {"quiz": world["quiz"].pk, "mode": "tutor"}),
        ("get", reverse("cohort_assignment", args=[cohort, assignment]), {}),
        ("get", reverse("cohort_assignment_edit", args=[cohort, assignment]), {}),
        (
            "post",
            reverse("cohort_assignment_edit", args=[cohort, assignment]),
            {"mode": "tutor", "due_at": "2026-04-01T10:00"},
        ),
        ("get", reverse("cohort_assignment_delete", args=[cohort, assignment]), {}),
        ("post", reverse("cohort_assignment_delete", args=[cohort, assignment]), {}),
    ]


def snapshot(world) -> tuple:
    cohort = Cohort.objects.get(pk=world["cohort"].pk)
    return (
        cohort.name,
        cohort.join_code,
        sorted(cohort.owners.values_list("pk", flat=True)),
        sorted(cohort.memberships.values_list("user_id", flat=True)),
        list(Assignment.objects.values_list("pk", "due_at")),
    )


@pytest.mark.parametrize("who", ["stranger", "other_educator"])
def test_a_trainee_of_another_cohort_and_an_educator_who_is_not_an_owner_get_404_everywhere(world, who):
    client = client_for(world[who])
    before = snapshot(world)

    statuses = {
        (method, url): getattr(client, method)(url, data).status_code for method, url, data in cohort_urls(world)
    }

    assert set(statuses.values()) == {404}, statuses
    assert snapshot(world) == before


OWNER_ONLY = {"cohort_edit", "cohort_code", "cohort_results_csv", "cohort_owner_new", "cohort_member_new"}


def test_a_member_gets_404_on_every_owners_url(world):
    client = client_for(world["bea"])
    before = snapshot(world)

    members_pages = {world["cohort"].get_absolute_url(), reverse("cohort_leaderboard", args=[world["cohort"].pk])}
    for method, url, data in cohort_urls(world):
        if "/leave/" in url:
            continue  # a member's to use: tested on its own
        status = getattr(client, method)(url, data).status_code
        assert status == (200 if url in members_pages else 404), (method, url)
    assert snapshot(world) == before


def test_an_owner_has_nothing_to_leave(world):
    assert client_for(world["owner"]).get(reverse("cohort_leave", args=[world["cohort"].pk])).status_code == 404


def test_an_owner_reaches_no_trainee_outside_the_cohort(world):
    client = client_for(world["owner"])

    assert client.get(reverse("cohort_trainee", args=[world["cohort"].pk, world["stranger"].pk])).status_code == 404
    other = Cohort.objects.get(name="Another cohort")
    assert client.get(reverse("cohort_trainee", args=[other.pk, world["stranger"].pk])).status_code == 404


# --- Query counts: the same for a small and a large cohort ---------------------------------------------


def grow(world, trainees: int, quizzes: int) -> None:
    """Add trainees who each finished every assigned quiz, and more assigned quizzes."""
    for _ in range(quizzes):
        quiz = make_quiz(questions=1)
        assignment_create(cohort=world["cohort"], quiz=quiz, mode="tutor", due_at=DUE, assigned_by=world["owner"])
    members = [make_user() for _ in range(trainees)]
    CohortMembership.objects.bulk_create(CohortMembership(cohort=world["cohort"], user=user) for user in members)
    for user in members:
        for assignment in world["cohort"].assignments.select_related("quiz"):
            finish_quiz(user, assignment.quiz, [True])


def queries_for(client, url) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
        if hasattr(response, "streaming_content"):
            b"".join(response.streaming_content)
    assert response.status_code == 200
    return len(queries)


def owner_page_urls(world) -> dict[str, str]:
    cohort = world["cohort"].pk
    return {
        "results": reverse("cohort_detail", args=[cohort]),
        "assignment": reverse("cohort_assignment", args=[cohort, world["assignment"].pk]),
        "trainee": reverse("cohort_trainee", args=[cohort, world["ada"].pk]),
        "csv": reverse("cohort_results_csv", args=[cohort]),
        "board": reverse("cohort_leaderboard", args=[cohort]),
    }


def test_the_owners_pages_and_the_board_cost_the_same_queries_for_a_small_and_a_large_cohort(worked):
    owner = client_for(worked["owner"])
    member = client_for(worked["ada"])
    small = {name: queries_for(owner, url) for name, url in owner_page_urls(worked).items()}
    small["member board"] = queries_for(member, reverse("cohort_leaderboard", args=[worked["cohort"].pk]))
    small["home"] = queries_for(member, reverse("home"))

    grow(worked, trainees=12, quizzes=3)
    large = {name: queries_for(owner, url) for name, url in owner_page_urls(worked).items()}
    large["member board"] = queries_for(member, reverse("cohort_leaderboard", args=[worked["cohort"].pk]))
    large["home"] = queries_for(member, reverse("home"))

    assert small == large
    # Each page: session, user, the cohort (with whether the viewer owns it) and, on a page, the header's
    # count. Then results: its owners, its assignments, its trainees, the grid of both; an assignment: it,
    # its trainees with their progress, and the item analysis's eight; a trainee: them, their assignments,
    # their topics; the CSV: the assignments, the trainees, the grid. The board: the site board's six and the cohort.
    # A member who is not staff is asked no permissions: two fewer than the owner.
    # Home: the site's six, the header's assignments (shared with the list), the cohorts.
    assert small == {
        "results": 8,
        "assignment": 14,
        "trainee": 7,
        "csv": 6,
        "board": 8,
        "member board": 6,
        "home": 8,
    }


def test_an_assignments_item_analysis_lists_typed_answers_and_each_stems_facility(world):
    from quizzes.services.attempts import answer_submit
    from tests.factories import make_matching_question, make_short_answer_question, questions_of, stem_answers

    quiz = world["quiz"]
    make_short_answer_question(quiz=quiz, order=3)
    make_matching_question(quiz=quiz, order=4)
    *_, typed, matching = questions_of(quiz)
    attempt = take_quiz(world["ada"], quiz, [True, True])
    answer_submit(attempt=attempt, question=typed, typed="TB")
    answer_submit(attempt=attempt, question=matching, matches=stem_answers(matching, right=2))
    attempt_finish(attempt=attempt)

    url = reverse("cohort_assignment", args=[world["cohort"].pk, world["assignment"].pk])
    html = html_of(client_for(world["owner"]).get(url))

    assert "<li>“tb” (no match): 1</li>" in html
    assert "<li>Stem 1 facility: 1.00</li>" in html and "<li>Stem 3 facility: 0.00</li>" in html
