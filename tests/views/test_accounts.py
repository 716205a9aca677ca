"""Accounts: sign up with a display name, log in, log out, change password."""

import pytest
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
