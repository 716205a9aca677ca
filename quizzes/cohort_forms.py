"""Validation of what educators and trainees type on the cohort pages, nothing else."""

from django import forms

from quizzes.models import JOIN_CODE_LENGTH, Attempt, Cohort, Quiz
from quizzes.refusals import ExamNotOffered

# Browsers' own date and date-and-time pickers: usable by keyboard and without JavaScript.
DATE_WIDGET = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
MOMENT_WIDGET = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")


class CohortForm(forms.Form):
    name = forms.CharField(max_length=Cohort._meta.get_field("name").max_length)
    description = forms.CharField(
        required=False, widget=forms.Textarea(attrs={"rows": 4}), help_text="Optional. Members see it. Markdown."
    )
    starts_on = forms.DateField(label="Starts on", widget=DATE_WIDGET)
    ends_on = forms.DateField(label="Ends on", widget=DATE_WIDGET, help_text="Its last day, on or after the first.")

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("starts_on") and cleaned.get("ends_on") and cleaned["ends_on"] < cleaned["starts_on"]:
            self.add_error("ends_on", "The cohort cannot end before it starts.")
        return cleaned


class AssignmentForm(forms.Form):
    """When an assignment opens and is due, and its mode; a new one also chooses its quiz."""

    quiz = forms.ModelChoiceField(queryset=Quiz.objects.none(), empty_label=None)
    mode = forms.ChoiceField(
        choices=Attempt.Mode.choices,
        help_text="Exam only for a quiz that offers it. An exam also does a tutor assignment; a tutor attempt "
        "never does an exam assignment.",
    )
    opens_at = forms.DateTimeField(
        label="Opens at",
        required=False,
        widget=MOMENT_WIDGET,
        help_text="Optional. Attempts that end from this moment count; without it, from when you assign it.",
    )
    due_at = forms.DateTimeField(label="Due at", widget=MOMENT_WIDGET, help_text="Finishing later is recorded as late.")

    def __init__(self, *args, quizzes=None, quiz: Quiz | None = None, **kwargs):
        """`quizzes`: the quizzes a new assignment may choose from; `quiz`: the quiz of one being changed."""
        super().__init__(*args, **kwargs)
        self.fixed_quiz = quiz
        if quiz is not None:
            del self.fields["quiz"]
        else:
            self.fields["quiz"].queryset = quizzes
            self.fields["quiz"].label_from_instance = quiz_choice_label

    def clean(self):
        cleaned = super().clean()
        quiz = self.fixed_quiz or cleaned.get("quiz")
        if quiz is not None and cleaned.get("mode") == Attempt.Mode.EXAM and not quiz.offers_exam:
            self.add_error("mode", str(ExamNotOffered(quiz)))
        if cleaned.get("opens_at") and cleaned.get("due_at") and cleaned["opens_at"] >= cleaned["due_at"]:
            self.add_error("opens_at", "It must open before it is due.")
        return cleaned


def quiz_choice_label(quiz: Quiz) -> str:
    return f"{quiz.title} (exam mode: {quiz.exam_minutes} min)" if quiz.offers_exam else f"{quiz.title} (tutor only)"


class JoinCodeForm(forms.Form):
    code = forms.CharField(
        label="Join code",
        # Room for the hyphens and spaces people type when they copy a code from a slide.
        max_length=JOIN_CODE_LENGTH * 3,
        help_text=f"The {JOIN_CODE_LENGTH} letters and digits your educator gave you. Case does not matter.",
        widget=forms.TextInput(attrs={"autocomplete": "off", "autocapitalize": "characters", "spellcheck": "false"}),
    )


class UsernameForm(forms.Form):
    username = forms.CharField(label="Username", max_length=150)
