"""Validation of what trainees type or pick, nothing else."""

from collections.abc import Mapping
from dataclasses import dataclass

from django import forms
from django.contrib.auth import authenticate
from django.contrib.auth.forms import PasswordChangeForm, UserCreationForm
from django.http import HttpRequest

from quizzes import hotspots
from quizzes.models import MatchStem, ProblemReport, Question, Response, User
from quizzes.options import Option


def confidence_field() -> forms.ChoiceField:
    # Said before the feedback, so it records how sure the trainee was, not how they feel after.
    return forms.ChoiceField(
        choices=Response.Confidence.choices,
        required=False,
        widget=forms.RadioSelect,
        error_messages={"invalid_choice": "Confidence is low, medium or high."},
    )


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
        self.fields["answer"].error_messages["invalid_choice"] = "That option is not one of this question's options."
        self.fields["confidence"] = confidence_field()

    def clean(self):
        cleaned = super().clean()
        if not self.question.is_multiple and len(self.data.getlist("answer")) > 1:
            self.add_error("answer", "Choose only one option.")
        if "answer" in cleaned:
            picked = cleaned["answer"] if self.question.is_multiple else [cleaned["answer"]]
            by_label = {option.label: option.choice for option in self.options}
            cleaned["chosen"] = [by_label[label] for label in picked]
        return cleaned


class OptionlessAnswerForm(forms.Form):
    """A form for a kind answered without options: it offers none (and the confidence field)."""

    def __init__(self, *args, question: Question, **kwargs):
        super().__init__(*args, **kwargs)
        self.question = question
        self.options = []
        self.fields["confidence"] = confidence_field()


class HotspotAnswerForm(OptionlessAnswerForm):
    """A point on the question's image, or "No abnormality" when the question offers it.

    The point comes as x and y relative to the image (hotspot.js fills them in), or, without
    JavaScript, as point.x and point.y: pixels on the <input type="image"> fallback, which is shown at
    the image's natural size. cleaned_data["point"] is (x, y), or None for "No abnormality".
    """

    MISSING_POINT = (
        "Choose a point on the image: click on it, or focus it and use Shift and the arrow keys, then Enter."
    )

    def clean(self):
        cleaned = super().clean()
        cleaned["chosen"] = []
        cleaned["point"] = None
        try:
            cleaned["point"] = self.posted_point()
        except ValueError as problem:
            self.add_error(None, str(problem))
        return cleaned

    def posted_point(self) -> tuple[float, float] | None:
        data = self.data
        if data.get("no_abnormality"):
            if not self.question.allow_no_abnormality:
                raise ValueError("This question has no “No abnormality” answer: choose a point on the image.")
            return None
        if data.get("x", "") != "" or data.get("y", "") != "":
            x, y = number(data.get("x")), number(data.get("y"))
            if not (0 <= x <= 1 and 0 <= y <= 1):
                raise ValueError("That point is not on the image: choose a point on the image itself.")
            return x, y
        if data.get("point.x", "") != "" or data.get("point.y", "") != "":
            px, py = number(data.get("point.x")), number(data.get("point.y"))
            try:
                return hotspots.point_from_pixels(px, py, self.question.image.width, self.question.image.height)
            except ValueError:
                raise ValueError("That point is not on the image: choose a point on the image itself.") from None
        raise ValueError(self.MISSING_POINT)


def number(value) -> float:
    """A finite number from posted text, or ValueError in words for the trainee."""
    try:
        parsed = float(value)
    except (TypeError, ValueError):
        raise ValueError("The point's position was not understood: choose a point on the image again.") from None
    if parsed != parsed or parsed in (float("inf"), float("-inf")):
        raise ValueError("The point's position was not understood: choose a point on the image again.")
    return parsed


class ShortAnswerForm(OptionlessAnswerForm):
    """What the trainee typed, as they typed it (quizzes/typed_answers.py decides what matches)."""

    MAX_LENGTH = Response._meta.get_field("typed_answer").max_length

    answer = forms.CharField(
        label="Your answer",
        max_length=MAX_LENGTH,
        error_messages={
            "required": "Type your answer.",
            "max_length": f"Keep your answer to {MAX_LENGTH} characters or fewer.",
        },
        # Autocomplete would offer answers typed before; a spellchecker would mark the answer for them.
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false", "autocapitalize": "off"}),
    )

    def clean(self):
        cleaned = super().clean()
        cleaned["chosen"] = []
        cleaned["typed"] = cleaned.get("answer", "")
        return cleaned


@dataclass(frozen=True)
class MatchSlot:
    """One stem of a matching question as its form shows it: its number, the <select>'s name, the label
    of the option selected in it ("" for none), its error, and whether it takes focus (the first in error)."""

    number: int
    stem: MatchStem
    name: str
    selected: str
    error: str
    focus: bool


class MatchingAnswerForm(forms.Form):
    """One option label (A, B, ...) per stem, posted as match-1, match-2, ... in the stems' order; turned
    into {stem id: option id}. An exam saves stems one at a time, so there a stem may be left empty."""

    def __init__(self, *args, question: Question, options: list[Option], every_stem: bool = True, **kwargs):
        super().__init__(*args, **kwargs)
        self.question = question
        self.options = options
        self.every_stem = every_stem
        self.stems = list(question.match_stems.all())
        labels = [(option.label, f"{option.label}. {option.choice.text}") for option in options]
        for number, _stem in enumerate(self.stems, start=1):
            self.fields[f"match-{number}"] = forms.ChoiceField(
                choices=[("", "Choose…"), *labels],
                required=every_stem,
                error_messages={
                    "required": f"Choose an option for item {number}.",
                    "invalid_choice": f"The option chosen for item {number} is not one of this question's options.",
                },
            )
        self.fields["confidence"] = confidence_field()

    def clean(self):
        cleaned = super().clean()
        by_label = {option.label: option.choice for option in self.options}
        cleaned["chosen"] = []
        cleaned["matches"] = {
            stem.pk: by_label[cleaned[name]].pk for name, stem in self.named_stems() if cleaned.get(name)
        }
        if not self.errors and not cleaned["matches"]:
            self.add_error(None, "Choose an option for at least one item.")
        return cleaned

    def named_stems(self) -> list[tuple[str, MatchStem]]:
        return [(f"match-{number}", stem) for number, stem in enumerate(self.stems, start=1)]

    def slots(self, saved: Mapping[int, str] | None = None) -> list[MatchSlot]:
        """The stems with what each <select> shows: what was posted, or else `saved` ({stem id: label})."""
        saved = saved or {}
        errors = self.errors if self.is_bound else {}
        first_error = next((name for name, _stem in self.named_stems() if name in errors), None)
        return [
            MatchSlot(
                number=number,
                stem=stem,
                name=name,
                selected=self.data.get(name, "") if self.is_bound else saved.get(stem.pk, ""),
                error=errors[name][0] if name in errors else "",
                focus=name == first_error,
            )
            for number, (name, stem) in enumerate(self.named_stems(), start=1)
        ]


type AnyAnswerForm = AnswerForm | HotspotAnswerForm | ShortAnswerForm | MatchingAnswerForm


def answer_form_for(question: Question, *, options: list[Option], data=None, every_stem: bool = True) -> AnyAnswerForm:
    """The form that answers this kind of question. `every_stem=False` lets a matching answer leave stems
    empty (an exam's answer, saved as it is given)."""
    if question.is_hotspot:
        return HotspotAnswerForm(data, question=question)
    if question.is_short_answer:
        return ShortAnswerForm(data, question=question)
    if question.is_matching:
        return MatchingAnswerForm(data, question=question, options=options, every_stem=every_stem)
    return AnswerForm(data, question=question, options=options)


def answer_fields(form: AnyAnswerForm) -> dict:
    """What a valid answer form says was answered, as the answer services and scoring.Answer take it."""
    cleaned = form.cleaned_data
    return {
        "chosen": cleaned["chosen"],
        "point": cleaned.get("point"),
        "typed": cleaned.get("typed", ""),
        "matches": cleaned.get("matches") or {},
    }


def answer_posted(data) -> bool:
    """Whether the posted form chose anything at all: options, typed text, a stem's match, a point, or
    "No abnormality"."""
    names = ("answer", "x", "point.x", "no_abnormality")
    return any(data.get(name, "").strip() for name in names) or any(
        name.startswith("match-") and data.get(name, "") for name in data
    )


class ProblemReportForm(forms.Form):
    reason = forms.ChoiceField(
        choices=ProblemReport.Reason.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Choose what is wrong.", "invalid_choice": "Choose one of the reasons listed."},
    )
    note = forms.CharField(
        max_length=ProblemReport.NOTE_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": "Say in a few words what the problem is."},
    )


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
        self.fields["display_name"].help_text = "The name other people see, for example on leaderboards."


class LimitedPasswordChangeForm(PasswordChangeForm):
    """Checks the current password as a log-in does (django-axes' backend first), so a wrong one counts
    as a failed log-in and enough of them lock the account and the address out, here and at log-in:
    someone at an unattended session cannot guess the password without limit."""

    def __init__(self, user: User, *args, request: HttpRequest, **kwargs):
        super().__init__(user, *args, **kwargs)
        self.request = request

    def clean_old_password(self) -> str:
        old_password = self.cleaned_data["old_password"]
        if authenticate(self.request, username=self.user.get_username(), password=old_password) != self.user:
            # When axes has locked the account out, its middleware answers with the lockout page instead.
            raise forms.ValidationError(self.error_messages["password_incorrect"], code="password_incorrect")
        return old_password


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
