"""Accounts: sign up with a display name, log in, log out, change password."""

import datetime

import pytest
from django.test import Client
from django.urls import reverse

from quizzes.models import User

pytestmark = pytest.mark.django_db


def test_signing_up_creates_a_trainee_with_a_display_name_and_logs_them_in(client):
    response = client.post(
        reverse("signup"),
        {
            "username": "ada",
            "display_name": "Dr Ada",
            "password1": "a-strong-passphrase-9",
            "password2": "a-strong-passphrase-9",
        },
        follow=True,
    )

    user = User.objects.get(username="ada")
    assert user.display_name == "Dr Ada" and user.public_name == "Dr Ada"
    assert response.context["user"] == user
    assert "Log out" in response.content.decode()


def test_sign_up_refuses_a_missing_display_name_and_creates_nobody(client):
    response = client.post(
        reverse("signup"),
        {
            "username": "ada",
            "display_name": "",
            "password1": "a-strong-passphrase-9",
            "password2": "a-strong-passphrase-9",
        },
    )

    assert response.status_code == 200 and "This field is required" in response.content.decode()
    assert not User.objects.exists()


def test_public_name_never_falls_back_to_the_username():
    assert User(username="secret-login").public_name == "Anonymous trainee"


def test_log_in_and_log_out(client, trainee):
    response = client.post(reverse("login"), {"username": trainee.username, "password": trainee.raw_password})
    assert response.status_code == 302 and "_auth_user_id" in client.session

    assert client.get(reverse("logout")).status_code == 405  # logging out changes state: POST only
    client.post(reverse("logout"))
    assert "_auth_user_id" not in client.session


def test_password_change(trainee_client, trainee):
    response = trainee_client.post(
        reverse("password_change"),
        {
            "old_password": trainee.raw_password,
            "new_password1": "another-strong-pass-7",
            "new_password2": "another-strong-pass-7",
        },
    )

    assert response["Location"] == reverse("password_change_done")
    trainee.refresh_from_db()
    assert trainee.check_password("another-strong-pass-7")


def change_password(client, old, address="203.0.113.5"):
    new = "another-strong-pass-7"
    return client.post(
        reverse("password_change"),
        {"old_password": old, "new_password1": new, "new_password2": new},
        REMOTE_ADDR=address,
    )


def test_wrong_current_passwords_count_as_failed_log_ins_and_lock_the_form(trainee_client, trainee, settings):
    settings.AXES_FAILURE_LIMIT = 3
    settings.AXES_COOLOFF_TIME = datetime.timedelta(minutes=15)
    for _ in range(2):
        assert "incorrect" in change_password(trainee_client, "a-wrong-guess").content.decode()

    third = change_password(trainee_client, "a-wrong-guess")
    locked = change_password(trainee_client, trainee.raw_password)

    assert third.status_code == locked.status_code == 429
    assert "Too many failed log-ins" in locked.content.decode() and "15 minutes" in locked.content.decode()
    trainee.refresh_from_db()
    assert trainee.check_password(trainee.raw_password), "no guess goes through, even the right one"
    assert (
        Client().post(reverse("login"), {"username": trainee.username, "password": trainee.raw_password}).status_code
        == 429
    )


def test_a_wrong_current_password_then_the_right_one_changes_it(trainee_client, trainee, settings):
    settings.AXES_FAILURE_LIMIT = 3
    change_password(trainee_client, "a-wrong-guess")

    assert change_password(trainee_client, trainee.raw_password)["Location"] == reverse("password_change_done")
