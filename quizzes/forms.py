"""Validation of what trainees type or pick, nothing else."""

from django import forms
from django.contrib.auth.forms import UserCreationForm

from quizzes.models import Question, Response, User
from quizzes.options import Option


class AnswerForm(forms.Form):
    """Posts back option labels (A, B, ...) and turns them into the chosen Choice objects."""

    def __init__(self, *args, question: Question, options: list[Option], **kwargs):
        super().__init__(*args, **kwargs)
        self.question = question
        self.options = options
        labels = [(option.label, option.choice.text) for option in options]
        if question.is_multiple:
            self.fields["answer"] = forms.MultipleChoiceField(
                choices=labels,
                widget=forms.CheckboxSelectMultiple,
                error_messages={"required": "Choose at least one option."},
            )
        else:
            self.fields["answer"] = forms.ChoiceField(
                choices=labels,
                widget=forms.RadioSelect,
                error_messages={"required": "Choose an option."},
            )
        self.fields["answer"].error_messages["invalid_choice"] = (
            "That option is not one of this question's options."
        )
        # Said before the feedback, so it records how sure the trainee was, not how they feel after.
        self.fields["confidence"] = forms.ChoiceField(
            choices=Response.Confidence.choices,
            required=False,
            widget=forms.RadioSelect,
            error_messages={"invalid_choice": "Confidence is low, medium or high."},
        )

    def clean(self):
        cleaned = super().clean()
        if not self.question.is_multiple and len(self.data.getlist("answer")) > 1:
            self.add_error("answer", "Choose only one option.")
        if "answer" in cleaned:
            picked = cleaned["answer"] if self.question.is_multiple else [cleaned["answer"]]
            by_label = {option.label: option.choice for option in self.options}
            cleaned["chosen"] = [by_label[label] for label in picked]
        return cleaned


class SignupForm(UserCreationForm):
    class Meta:
        model = User
        fields = ["username", "display_name"]
        help_texts = {
            "username": "For logging in. Other trainees never see it.",
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["display_name"].required = True
        self.fields["display_name"].help_text = (
            "The name other people see, for example on leaderboards."
        )


class LeaderboardSettingsForm(forms.Form):
    """A plain form, not a ModelForm: validating must not change request.user before the service saves."""

    display_name = forms.CharField(
        max_length=User._meta.get_field("display_name").max_length,
        help_text="The name other trainees see on leaderboards. Your username is never shown to them.",
    )
    hide_from_leaderboard = forms.BooleanField(
        required=False,
        label="Hide me from other trainees on leaderboards",
        help_text=(
            "Other trainees then see your row as “Anonymous trainee”, with its points and rank, so everyone's "
            "rank stays true. You still see your own name, and educators still see who you are."
        ),
    )
