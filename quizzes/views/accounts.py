"""Signing up and changing the password; the rest of the account pages are Django's own auth views."""

from django.contrib.auth import login
from django.contrib.auth.views import PasswordChangeView
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from quizzes.forms import LimitedPasswordChangeForm, SignupForm


@require_http_methods(["GET", "POST"])
def signup(request: HttpRequest) -> HttpResponse:
    if request.user.is_authenticated:
        return redirect("home")
    form = SignupForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        user = form.save()
        login(request, user, backend="django.contrib.auth.backends.ModelBackend")
        return redirect("home")
    return render(request, "registration/signup.html", {"form": form})


class PasswordChange(PasswordChangeView):
    """Django's view, with the current password checked under the log-in limits."""

    form_class = LimitedPasswordChangeForm

    def get_form_kwargs(self) -> dict:
        return super().get_form_kwargs() | {"request": self.request}
