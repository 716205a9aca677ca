"""URL routes of the quizzes app."""

from django.contrib.auth import views as auth_views
from django.urls import path

from quizzes.views import accounts, attempts, cohorts, exam, leaderboard, pages, practice, progress, reports, scoring

urlpatterns = [
    path("", pages.home, name="home"),
    path("quizzes/<slug:slug>/", pages.quiz_detail, name="quiz_detail"),
    path("quizzes/<slug:slug>/start/", attempts.start, name="attempt_start"),
    path("attempts/<int:attempt_id>/", attempts.resume, name="attempt_resume"),
    path("attempts/<int:attempt_id>/questions/<int:question_id>/", attempts.question_show, name="question_show"),
    path("attempts/<int:attempt_id>/questions/<int:question_id>/answer/", attempts.answer, name="answer"),
    path("attempts/<int:attempt_id>/finish/", attempts.finish, name="attempt_finish"),
    path(
        "attempts/<int:attempt_id>/questions/<int:question_id>/report/", reports.problem_report, name="problem_report"
    ),
    path("attempts/<int:attempt_id>/exam/<int:question_id>/", exam.exam_question, name="exam_question"),
    path("attempts/<int:attempt_id>/exam/<int:question_id>/answer/", exam.exam_answer, name="exam_answer"),
    path("attempts/<int:attempt_id>/exam/<int:question_id>/clear/", exam.exam_clear, name="exam_clear"),
    path("attempts/<int:attempt_id>/exam/<int:question_id>/flag/", exam.exam_flag, name="exam_flag"),
    path("attempts/<int:attempt_id>/exam/review/", exam.exam_review, name="exam_review"),
    path("attempts/<int:attempt_id>/summary/", attempts.summary, name="attempt_summary"),
    path("progress/", progress.my_progress, name="my_progress"),
    path("practice/mistakes/", practice.mistakes, name="practice_mistakes_start"),
    path("practice/due-today/", practice.review, name="practice_review_start"),
    path("practice/tags/<str:slug>/", practice.tag, name="practice_tag_start"),
    path("practice/from/<int:attempt_id>/", practice.these, name="practice_these_start"),
    path("leaderboard/", leaderboard.leaderboard, name="leaderboard"),
    path("leaderboard/export.csv", leaderboard.leaderboard_export, name="leaderboard_export"),
    path("leaderboard/settings/", leaderboard.leaderboard_settings, name="leaderboard_settings"),
    path("scoring/", scoring.scoring, name="scoring"),
    path("cohorts/", cohorts.cohort_list, name="cohort_list"),
    path("cohorts/new/", cohorts.cohort_new, name="cohort_new"),
    path("cohorts/join/", cohorts.cohort_join_by_code, name="cohort_join"),
    path("cohorts/join/<str:code>/", cohorts.cohort_join_by_link, name="cohort_join_link"),
    path("cohorts/<int:cohort_id>/", cohorts.cohort_detail, name="cohort_detail"),
    path("cohorts/<int:cohort_id>/edit/", cohorts.cohort_edit, name="cohort_edit"),
    path("cohorts/<int:cohort_id>/code/", cohorts.cohort_code, name="cohort_code"),
    path("cohorts/<int:cohort_id>/leave/", cohorts.cohort_leave, name="cohort_leave"),
    path("cohorts/<int:cohort_id>/leaderboard/", cohorts.cohort_leaderboard, name="cohort_leaderboard"),
    path("cohorts/<int:cohort_id>/results.csv", cohorts.cohort_results_csv, name="cohort_results_csv"),
    path("cohorts/<int:cohort_id>/owners/", cohorts.cohort_owner_new, name="cohort_owner_new"),
    path("cohorts/<int:cohort_id>/trainees/", cohorts.cohort_member_new, name="cohort_member_new"),
    path("cohorts/<int:cohort_id>/trainees/<int:user_id>/", cohorts.trainee_results, name="cohort_trainee"),
    path(
        "cohorts/<int:cohort_id>/trainees/<int:user_id>/remove/",
        cohorts.cohort_member_remove_view,
        name="cohort_member_remove",
    ),
    path("cohorts/<int:cohort_id>/assignments/new/", cohorts.assignment_new, name="cohort_assignment_new"),
    path(
        "cohorts/<int:cohort_id>/assignments/<int:assignment_id>/",
        cohorts.assignment_results,
        name="cohort_assignment",
    ),
    path(
        "cohorts/<int:cohort_id>/assignments/<int:assignment_id>/edit/",
        cohorts.assignment_edit,
        name="cohort_assignment_edit",
    ),
    path(
        "cohorts/<int:cohort_id>/assignments/<int:assignment_id>/delete/",
        cohorts.assignment_delete_view,
        name="cohort_assignment_delete",
    ),
    path("accounts/signup/", accounts.signup, name="signup"),
    path("accounts/login/", auth_views.LoginView.as_view(), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("accounts/password/", accounts.PasswordChange.as_view(), name="password_change"),
    path("accounts/password/done/", auth_views.PasswordChangeDoneView.as_view(), name="password_change_done"),
]
