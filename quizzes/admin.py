"""Authoring in the Django admin: quizzes with their questions, questions with their options."""

import json
from dataclasses import dataclass
from pathlib import PurePosixPath
from urllib.parse import urlencode

from django import forms
from django.conf import settings
from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.contrib.auth.admin import UserAdmin
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Count
from django.http import Http404, HttpResponse, HttpResponseNotAllowed
from django.shortcuts import get_object_or_404, redirect, render
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html
from django.utils.http import url_has_allowed_host_and_scheme

from quizzes.analysis import (
    DISCRIMINATION_MINIMUM,
    FACILITY_TOO_EASY,
    FACILITY_TOO_HARD,
    MIN_FIRST_ATTEMPTS_TO_JUDGE,
    quiz_item_analysis,
    responses_csv_rows,
)
from quizzes.bank import MAX_UPLOAD_BYTES
from quizzes.bank.upload import BACKGROUND_IMPORT_BYTES, FORMATS, guess_format, megabytes
from quizzes.downloads import bank_download, csv_download
from quizzes.images import image_prepare
from quizzes.kept_uploads import KeptFileInput, KeptUploadForm, kept_field_name, kept_upload_read, upload_kept
from quizzes.models import (
    POINTS_PER_QUESTION,
    AcceptedAnswer,
    Attempt,
    BankImport,
    Choice,
    MatchStem,
    ProblemReport,
    Question,
    QuestionVersion,
    Quiz,
    Response,
    Source,
    Tag,
    Topic,
    User,
)
from quizzes.rich_text import plain_excerpt, rich_text_problems
from quizzes.rules import MIN_STEMS, hotspot_problems, matching_problems, option_problems, short_answer_problems
from quizzes.services.bank_imports import ImportNotStartable, bank_import_check, bank_import_start
from quizzes.services.content import question_duplicate, quiz_duplicate
from quizzes.services.questions import accepted_answer_add, question_image_set, question_regions_set
from quizzes.services.reports import problem_reports_resolve
from quizzes.services.versions import (
    VersionNotRestorable,
    question_version_baseline,
    question_version_record,
    question_version_restore,
)
from quizzes.stored_files import file_attach, files_remove_on_commit
from quizzes.versions import answered_question
from quizzes.views.media import IMAGE_TYPES, MEDIA_CSP
from quizzes.views.previews import admin_back_url, question_preview

# The educators' side of the site, named for what it is; its front page starts with what they come to do
# that the list of models does not show (quizzes/templates/admin/quizzes/index.html).
admin.site.site_header = "Metastasis Imaging Quiz: educators"
admin.site.site_title = "Metastasis Imaging Quiz educators"
admin.site.index_title = "Questions, quizzes and cohorts"
admin.site.index_template = "admin/quizzes/index.html"


@admin.register(User)
class QuizUserAdmin(UserAdmin):
    fieldsets = UserAdmin.fieldsets + (("Quiz site", {"fields": ["display_name", "department"]}),)
    list_display = ["username", "display_name", "department", "email", "is_staff"]


@admin.register(Topic)
class TopicAdmin(admin.ModelAdmin):
    list_display = ["name", "order"]
    list_editable = ["order"]
    prepopulated_fields = {"slug": ["name"]}
    search_fields = ["name"]


@admin.register(Tag)
class TagAdmin(admin.ModelAdmin):
    list_display = ["name", "slug"]
    prepopulated_fields = {"slug": ["name"]}
    search_fields = ["name"]


@admin.register(Source)
class SourceAdmin(admin.ModelAdmin):
    list_display = ["title", "publisher", "published_on", "doi"]
    search_fields = ["title", "publisher", "doi", "key"]


class WideList:
    """A list whose columns need the width the admin's menu takes (the breadcrumbs still lead to every model):
    at 1366 px its last columns would otherwise scroll out of view."""

    def changelist_view(self, request, extra_context=None):
        return super().changelist_view(request, {"is_nav_sidebar_enabled": False, **(extra_context or {})})


class NamedRows:
    """Formset mixin: the inputs of a table of forms (a tabular inline, a list's editable columns) named for
    screen readers ("Option 2: Text"): the admin's table heads its columns, but no input has a label."""

    def row_name(self, form, index) -> str:
        raise NotImplementedError

    def add_fields(self, form, index):
        super().add_fields(form, index)
        row = self.row_name(form, index)
        for field in form.fields.values():
            if not field.widget.is_hidden:
                field.widget.attrs["aria-label"] = f"{row}: {field.label}"


class ChoiceFormSet(NamedRows, forms.BaseInlineFormSet):
    """Refuses a question whose options break the rules for its kind, saying which rule, and a published
    question with an option that has no rationale. (Deleting an option trainees chose is refused by the
    admin itself: ResponseChoice protects it.)"""

    # Shared with the question's other formsets (QuestionAdmin.get_formsets_with_inlines): the stems' rules
    # need the options saved with them.
    submitted: dict | None = None

    def row_name(self, form, index) -> str:
        return "New option" if index is None else f"Option {index + 1}"

    def clean(self):
        super().clean()
        if any(self.errors):
            return
        kept = kept_forms(self)
        options = [(form.cleaned_data.get("text", ""), form.cleaned_data.get("is_correct", False)) for form in kept]
        if self.submitted is not None:
            # Offered options by id, as they are being saved (a new one has no id yet, and no stem can name it).
            self.submitted["offered"] = {
                form.instance.pk: form.cleaned_data.get("text", "")
                for form in kept
                if not form.cleaned_data.get("retired")
            }
        problems = option_problems(self.instance.kind, options)
        if self.instance.status == Question.Status.PUBLISHED and any(
            not (form.cleaned_data.get("rationale") or form.instance.rationale).strip() for form in kept
        ):
            problems.append("Give every option a rationale before publishing the question (or keep it as a draft).")
        if problems:
            raise ValidationError(problems)


class ChoiceInline(admin.TabularInline):
    model = Choice
    formset = ChoiceFormSet
    extra = 1
    min_num = 2
    fields = ["order", "text", "is_correct", "weight", "rationale", "retired"]
    formfield_overrides = {Choice._meta.get_field("rationale").__class__: {"widget": forms.Textarea(attrs={"rows": 2})}}


def kept_forms(formset) -> list:
    """The formset's filled-in forms that are not being deleted."""
    return [form for form in formset.forms if form.cleaned_data and not form.cleaned_data.get("DELETE")]


class AcceptedAnswerFormSet(forms.BaseInlineFormSet):
    """A short-answer question's accepted answers, held to quizzes/rules.py: short_answer_problems."""

    def clean(self):
        super().clean()
        if any(self.errors):
            return
        # Shown only on a short-answer question's form (QUESTION_KIND_FORMS), whose kind the form has set.
        kept = kept_forms(self)
        problems = short_answer_problems(
            [(form.cleaned_data.get("text", ""), form.cleaned_data.get("weight") or 0) for form in kept]
        )
        if problems:
            raise ValidationError(problems)


class AcceptedAnswerInline(admin.TabularInline):
    model = AcceptedAnswer
    formset = AcceptedAnswerFormSet
    extra = 1
    fields = ["order", "text", "weight", "feedback"]
    verbose_name = "accepted answer (short answer)"
    verbose_name_plural = (
        "accepted answers (short answer: case, punctuation and small slips on longer words are forgiven; * is "
        "any run of letters; list British and American spellings as two answers)"
    )
    formfield_overrides = {
        AcceptedAnswer._meta.get_field("feedback").__class__: {"widget": forms.Textarea(attrs={"rows": 2})}
    }


class MatchStemForm(forms.ModelForm):
    """A stem with its optional image, re-encoded as a question's image is (the raw upload never reaches
    storage) and written when the admin's transaction commits."""

    class Meta:
        model = MatchStem
        fields = ["order", "text", "answer", "image", "image_alt"]
        # Not the question's own labels: one page holds both.
        labels = {"text": "vignette", "image": "vignette image", "image_alt": "alt text for the vignette image"}

    def clean(self):
        cleaned = super().clean()
        image_checked(self, cleaned, has_image=bool(cleaned.get("image")))
        return cleaned

    def save(self, commit=True):
        prepared = getattr(self, "prepared_image", None)
        if prepared is not None:
            replaced = MatchStem.objects.filter(pk=self.instance.pk).values_list("image", flat=True).first()
            self.instance.image = ""
            file_attach(instance=self.instance, field_name="image", content=prepared.image)
            if replaced:
                files_remove_on_commit(storage=self.instance.image.storage, names=[replaced])
        return super().save(commit)


class MatchStemFormSet(forms.BaseInlineFormSet):
    """An extended-matching question's stems, held to quizzes/rules.py: matching_problems. Each stem's
    answer is picked from the question's saved options, so a new question gets its stems once it is saved
    with its options; until then, and while it is a draft, the rules on how many stems wait."""

    submitted: dict | None = None

    def add_fields(self, form, index):
        super().add_fields(form, index)
        question = self.instance
        form.fields["answer"].queryset = question.choices.all() if question.pk else Choice.objects.none()

    def clean(self):
        super().clean()
        if any(self.errors):
            return
        # Shown only on a matching question's form (QUESTION_KIND_FORMS), whose kind the form has set.
        kept = kept_forms(self)
        question = self.instance
        if self.submitted is None:  # not beside the options' formset: the options as saved
            offered = {choice.pk: choice.text for choice in question.choices.all() if not choice.retired}
        elif (offered := self.submitted.get("offered")) is None:
            return  # the options have problems of their own, shown with them
        answers = [form.cleaned_data.get("answer") for form in kept]
        problems = matching_problems(
            options=list(offered.values()),
            stem_answers=[offered.get(answer.pk) if answer else None for answer in answers],
            fewer_options_reason=question.fewer_options_reason,
        )
        if question.status == Question.Status.DRAFT and len(kept) < MIN_STEMS:
            problems = [problem for problem in problems if problem.startswith("Stem ")]
        elif not kept and not question.pk:
            problems.append(
                "Save the question first as a draft with its options; then add its stems, each answered by one of "
                "the saved options, and publish it."
            )
        if problems:
            raise ValidationError(problems)


class MatchStemInline(admin.StackedInline):
    model = MatchStem
    form = MatchStemForm
    formset = MatchStemFormSet
    extra = 1
    verbose_name = "stem (extended matching)"
    verbose_name_plural = (
        "stems (extended matching: each a vignette the trainee matches to one option; its answer is one of the "
        "options above, as saved)"
    )
    formfield_overrides = {MatchStem._meta.get_field("text").__class__: {"widget": forms.Textarea(attrs={"rows": 3})}}


REGIONS_HELP = (
    "The targets trainees must click: a click inside any region is right. Draw them on the image with “Draw "
    "ellipse” or “Draw polygon” as soon as an image is chosen, or type them as a JSON list, each "
    '{"shape": "ellipse" or "polygon", "geometry": ..., "feedback": "Markdown shown after answering"}. '
    "Coordinates run from 0 to 1 across and down the image: an ellipse is "
    '{"cx", "cy", "rx", "ry"}, a polygon {"points": [[x, y], ...]} with at least 3 points.'
)


def image_checked(form: forms.ModelForm, cleaned: dict, *, has_image: bool) -> bool:
    """Re-encode the form's uploaded image, if any, into form.prepared_image (the raw upload never reaches
    storage), and require alt text for an image. Returns whether there is an image, uploaded or kept."""
    upload = form.files.get(form.add_prefix("image"))
    if upload is not None:
        try:
            form.prepared_image = image_prepare(upload.read(), upload.name)
        except ValidationError as error:
            form.add_error("image", error)
    has_image = upload is not None or has_image
    if has_image and not cleaned.get("image_alt", "").strip():
        form.add_error("image_alt", "Describe the image for people who cannot see it (alt text is required).")
    return has_image


@dataclass(frozen=True)
class KindForm:
    """What the question form shows for one kind of question: the fieldsets of its own (between the
    question and the feedback) and its inlines, with a line for the kind chooser. A new kind adds its
    entry to QUESTION_KIND_FORMS, and the chooser, the form and "Change kind" follow."""

    summary: str
    fieldsets: tuple = ()
    inlines: tuple = ()


QUESTION_KIND_FORMS = {
    Question.Kind.SINGLE: KindForm("Trainees choose one option; exactly one is right.", inlines=(ChoiceInline,)),
    Question.Kind.MULTIPLE: KindForm(
        "Trainees tick every option they think right; partial credit for some.", inlines=(ChoiceInline,)
    ),
    Question.Kind.TRUE_FALSE: KindForm("Two options, True and False; one is right.", inlines=(ChoiceInline,)),
    Question.Kind.HOTSPOT: KindForm(
        "Trainees click on the image; you draw the target regions on it. No options.",
        fieldsets=(("Hotspot (click on the image)", {"fields": ["allow_no_abnormality", "regions"]}),),
    ),
    Question.Kind.SHORT_ANSWER: KindForm(
        "Trainees type the answer; you list the answers accepted, each with its share of the marks. No options.",
        fieldsets=(("Short answer (typed diagnosis)", {"fields": ["case_sensitive", "forgive_typos"]}),),
        inlines=(AcceptedAnswerInline,),
    ),
    Question.Kind.MATCHING: KindForm(
        "Trainees match each vignette (stem) to one option of a shared list; partial credit per stem.",
        fieldsets=(("Extended matching", {"fields": ["fewer_options_reason"]}),),
        # In this order: the stems' rules read the options' formset (QuestionAdmin.get_formsets_with_inlines).
        inlines=(ChoiceInline, MatchStemInline),
    ),
}


class QuestionAdminForm(KeptUploadForm, forms.ModelForm):
    """A question of the kind QuestionAdmin.get_form sets (`question_kind`): that kind's fields only, its
    image kept across a refused save, its hotspot regions saved with it in one pass."""

    question_kind = Question.Kind.SINGLE
    kept_field = "image"
    regions = forms.CharField(
        label="Target regions",
        required=False,
        help_text=REGIONS_HELP,
        widget=forms.Textarea(
            attrs={"rows": 6, "data-hotspot-editor": "", "data-image-input": "id_image", "class": "vLargeTextField"}
        ),
    )

    class Meta:
        model = Question
        fields = "__all__"  # noqa: DJ007 - the admin's fieldsets choose what is shown
        widgets = {"image": KeptFileInput}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        question = self.instance
        self.saved_kind = question.kind if question.pk else None
        question.kind = self.question_kind
        if self.question_kind != Question.Kind.HOTSPOT:
            del self.fields["regions"]  # saving a question of another kind removes its regions
            return
        widget = self.fields["regions"].widget
        widget.attrs["data-image-url"] = question.image.url if question.pk and question.image else ""
        widget.attrs["data-image-alt"] = question.image_alt
        if question.pk:
            self.initial["regions"] = (
                json.dumps(
                    [
                        {"shape": r.shape, "geometry": r.geometry, "feedback": r.feedback}
                        for r in question.regions.all()
                    ],
                    indent=1,
                )
                if question.regions.exists()
                else ""
            )

    def clean_regions(self) -> list[dict]:
        """The regions as a list of {"shape", "geometry", "feedback"}; their geometry is checked in clean()."""
        raw = self.cleaned_data.get("regions", "").strip()
        if not raw:
            return []
        try:
            regions = json.loads(raw)
        except json.JSONDecodeError as error:
            raise ValidationError(
                f"The regions are not valid JSON: {error.msg} (line {error.lineno}, column {error.colno})."
            ) from None
        if not isinstance(regions, list):
            raise ValidationError(
                'The regions must be a JSON list: [{"shape": ..., "geometry": ..., "feedback": ...}].'
            )
        problems = []
        for number, region in enumerate(regions, start=1):
            if not isinstance(region, dict):
                problems.append(f"Region {number} must be a JSON object with a shape and a geometry.")
            elif not isinstance(region.get("feedback", ""), str):
                problems.append(f"Region {number}: its feedback must be text.")
            else:
                problems += rich_text_problems(region.get("feedback", ""), field=f"Region {number}'s feedback")
        if problems:
            raise ValidationError(problems)
        return [
            {"shape": region.get("shape"), "geometry": region.get("geometry"), "feedback": region.get("feedback", "")}
            for region in regions
        ]

    def clean(self):
        cleaned = super().clean()
        chosen = self.chosen_upload()
        if chosen is not None:
            try:
                self.prepared_image = image_prepare(chosen.data, chosen.filename)
            except ValidationError as error:
                self.add_error("image", error)
        has_image = chosen is not None or (cleaned.get("image") and self.instance.image)
        if has_image and not cleaned.get("image_alt", "").strip():
            self.add_error("image_alt", "Describe the image for people who cannot see it (alt text is required).")
        if self.saved_kind not in (None, self.question_kind) and self.instance.responses.exists():
            self.add_error(
                None,
                "Trainees have answered this question, so its kind cannot change: their answers would no longer "
                "fit it. Duplicate the question (an action in the question list) and change the copy's kind.",
            )
        regions = cleaned.get("regions")
        if regions is not None:
            problems = hotspot_problems(
                has_image=bool(has_image),
                regions=[(region["shape"], region["geometry"]) for region in regions],
                allow_no_abnormality=cleaned.get("allow_no_abnormality", False),
            )
            if problems and has_image and not regions:
                problems.append(
                    ("The image you chose is kept. " if chosen else "")
                    + "Draw the target on the image with “Draw ellipse” or “Draw polygon” (or type the regions as "
                    "JSON), then save."
                )
            if problems:
                self.add_error("regions", problems)
        return cleaned

    def image_hold(self, kept_image_url: str) -> None:
        """After a refused save: keep an acceptable chosen image for the next try, shown beside its field and
        in the region editor (served at `kept_image_url` plus the kept file's token)."""
        if getattr(self, "prepared_image", None) is None:
            return
        kept = self.upload_hold()
        url = f"{kept_image_url}?{urlencode({'token': kept.token})}"
        self.fields["image"].widget.kept_preview_url = url
        if "regions" in self.fields:
            self.fields["regions"].widget.attrs["data-image-url"] = url


class LacksFeedbackFilter(admin.SimpleListFilter):
    title = "feedback"
    parameter_name = "feedback"

    def lookups(self, request, model_admin):
        return [("lacking", "Lacks an explanation or option rationales")]

    def queryset(self, request, queryset):
        return queryset.lacking_feedback() if self.value() == "lacking" else queryset


def kind_problems(question: Question) -> list[str]:
    """What a saved short-answer or extended-matching question still lacks for its kind (quizzes/rules.py)."""
    if question.is_short_answer:
        return short_answer_problems([(a.text, a.weight) for a in question.accepted_answers.all()])
    if question.is_matching:
        offered = {c.pk: c.text for c in question.choices.all() if not c.retired}
        return matching_problems(
            options=list(offered.values()),
            stem_answers=[offered.get(stem.answer_id) for stem in question.match_stems.all()],
            fewer_options_reason=question.fewer_options_reason,
        )
    return []


def action_confirmation(modeladmin, request, queryset, *, title: str, consequence: str, button: str):
    """The page that asks before a bulk action takes effect, as the admin's own "delete" does; None once the
    educator has confirmed (the page posts the action back with confirmed=yes)."""
    if request.POST.get("confirmed") == "yes":
        return None
    context = {
        **modeladmin.admin_site.each_context(request),
        "opts": modeladmin.model._meta,
        "title": title,
        "consequence": consequence,
        "button": button,
        "objects": queryset,
        "action": request.POST.get("action", ""),
        "action_checkbox_name": helpers.ACTION_CHECKBOX_NAME,
    }
    return TemplateResponse(request, "admin/quizzes/action_confirmation.html", context)


@admin.action(description="Publish the selected questions (shown to trainees)")
def publish_questions(modeladmin, request, queryset):
    if page := action_confirmation(
        modeladmin,
        request,
        queryset,
        title="Publish these questions?",
        consequence="Trainees see a published question in its quiz (once the quiz is published too). Questions "
        "that lack an explanation or a rationale on some option stay drafts.",
        button="Yes, publish them",
    ):
        return page
    unfinished = [
        question.key
        for question in queryset.filter(kind__in=[Question.Kind.SHORT_ANSWER, Question.Kind.MATCHING]).prefetch_related(
            "choices", "accepted_answers", "match_stems"
        )
        if kind_problems(question)
    ]
    if unfinished:
        modeladmin.message_user(
            request,
            f"Not published, as they lack what their kind needs (accepted answers, or stems and options): "
            f"{', '.join(unfinished)}. Open each to see what is missing.",
            messages.ERROR,
        )
        queryset = queryset.exclude(key__in=unfinished)
    lacking = list(queryset.lacking_feedback().values_list("key", flat=True))
    published = queryset.exclude(pk__in=queryset.lacking_feedback()).update(status=Question.Status.PUBLISHED)
    if published:
        modeladmin.message_user(request, f"Published {published} question(s).", messages.SUCCESS)
    if lacking:
        modeladmin.message_user(
            request,
            f"Not published, as they lack an explanation or a rationale on some option: {', '.join(lacking)}. "
            "Finish them first (the “lacks an explanation or option rationales” filter lists them).",
            messages.ERROR,
        )


def status_action(name: str, status: str, *, description: str, title: str, consequence: str, done: str):
    """A bulk action that asks first, then gives the selected rows `status` and says so (`done`, with {count})."""

    @admin.action(description=description)
    def action(modeladmin, request, queryset):
        button = "Yes, publish them" if status == Quiz.Status.PUBLISHED else "Yes, make them drafts"
        if page := action_confirmation(
            modeladmin, request, queryset, title=title, consequence=consequence, button=button
        ):
            return page
        count = queryset.update(status=status)
        modeladmin.message_user(request, done.format(count=count), messages.SUCCESS)

    action.__name__ = name
    return action


unpublish_questions = status_action(
    "unpublish_questions",
    Question.Status.DRAFT,
    description="Return the selected questions to draft (hidden from trainees)",
    title="Return these questions to draft?",
    consequence="Trainees no longer see them; answers already given are kept.",
    done="{count} question(s) are drafts now.",
)


@admin.action(description="Duplicate the selected questions")
def duplicate_questions(modeladmin, request, queryset):
    for question in queryset:
        question_duplicate(question=question)
    modeladmin.message_user(request, f"Duplicated {queryset.count()} question(s).", messages.SUCCESS)


def version_saved_message(version: QuestionVersion) -> str:
    return (
        f"Saved as version {version.number} of the question. Trainees who answered an earlier version still "
        "see that version with their answers."
    )


def preview_link(url: str, *, back: str, label: str, name: str):
    """A link to a preview that leads back to `back`, naming its object for screen readers."""
    return format_html(
        '<a href="{}?{}">{}<span class="visually-hidden"> {}</span></a>', url, urlencode({"from": back}), label, name
    )


class QuestionStartForm(forms.Form):
    """The first step of adding a question: its quiz and its kind, which decide what the form shows."""

    quiz = forms.ModelChoiceField(
        Quiz.objects.all(),
        required=False,
        help_text="The quiz the question goes into. A case vignette's questions also have a stage.",
    )
    kind = forms.ChoiceField(
        choices=[(kind, f"{kind.label}: {form.summary}") for kind, form in QUESTION_KIND_FORMS.items()],
        widget=forms.RadioSelect,
        error_messages={"required": "Choose the kind of question to write."},
    )


def question_plain_stem(question: Question) -> str:
    return plain_excerpt(question.stem_html, 90)


@admin.register(Question)
class QuestionAdmin(WideList, admin.ModelAdmin):
    form = QuestionAdminForm
    # No order column: it means something within one quiz, and the quiz's page is where questions are reordered.
    list_display = ["key", "short_stem", "quiz", "kind", "status", "thumbnail_preview", "preview_link"]
    list_filter = ["quiz__topic", "quiz", "kind", "status", LacksFeedbackFilter, "quiz__status", "tags", "sources"]
    list_select_related = ["quiz"]
    search_fields = ["key", "idnumber", "stem", "explanation", "choices__text", "tags__name"]
    autocomplete_fields = ["tags"]
    actions = [publish_questions, unpublish_questions, duplicate_questions]

    class Media:
        css = {"all": ["quizzes/admin.css", "quizzes/hotspot-editor.css"]}
        js = ["quizzes/hotspot-editor.js", "quizzes/autocomplete-labels.js"]

    readonly_fields = ["citation"]

    @admin.display(description="cited without a source as")
    def citation(self, question):
        return question.authorship if question.pk else "Written by you (your display name and department)"

    def get_formsets_with_inlines(self, request, obj=None):
        # One dict per request shared by the question's formsets, validated in the inlines' order: the
        # options' formset records what it saves, the stems' formset checks against it.
        submitted = {}
        for formset, inline in super().get_formsets_with_inlines(request, obj):
            yield type(formset.__name__, (formset,), {"submitted": submitted}), inline

    def question_kind(self, request, obj=None) -> str:
        """The kind the form is for: as asked for (?kind=, from the chooser or "Change kind"), else the
        question's own, else as posted (a form posted without the chooser's query string)."""
        for kind in (request.GET.get("kind"), obj.kind if obj else None, request.POST.get("kind")):
            if kind in QUESTION_KIND_FORMS:
                return kind
        return Question.Kind.SINGLE

    def question_quiz(self, request, obj=None) -> Quiz | None:
        """The quiz the form was opened for (a new question's ?quiz=), which decides whether it has a stage."""
        if obj is not None:
            return obj.quiz
        quiz_id = request.GET.get("quiz", "")
        return Quiz.objects.filter(pk=quiz_id).first() if quiz_id.isdigit() else None

    def get_fieldsets(self, request, obj=None):
        quiz = self.question_quiz(request, obj)
        stage = ["stage"] if quiz is not None and quiz.is_case else []
        return [
            (None, {"fields": ["quiz", "key", "idnumber", "order", "status", "tags"]}),
            ("Question", {"fields": [*stage, "stem", "image", "image_alt"]}),
            *QUESTION_KIND_FORMS[self.question_kind(request, obj)].fieldsets,
            ("After answering", {"fields": ["explanation", "learning_point", "sources", "citation"]}),
        ]

    def get_inlines(self, request, obj=None):
        return QUESTION_KIND_FORMS[self.question_kind(request, obj)].inlines

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change=change, **kwargs)
        form.question_kind = self.question_kind(request, obj)
        return form

    @admin.display(description="stem")
    def short_stem(self, question):
        return question_plain_stem(question)

    @admin.display(description="image")
    def thumbnail_preview(self, question):
        if not question.thumbnail:
            return "–"
        return format_html(
            '<img src="{}" alt="{}" class="admin-thumbnail">', question.thumbnail.url, question.image_alt
        )

    @admin.display(description="preview")
    def preview_link(self, question):
        return preview_link(
            reverse("admin:quizzes_question_preview", args=[question.pk]),
            back=reverse("admin:quizzes_question_changelist"),
            label="Preview",
            name=question.key,
        )

    def save_model(self, request, obj, form, change):
        # What trainees answered, read before anything is saved (quizzes/services/versions.py).
        form.version_before = question_version_baseline(question=obj) if change else None
        if not change:
            # The citation of a question that cites no source (Question.authorship).
            obj.author = request.user
        kind = obj.kind
        if not obj.is_hotspot:
            obj.allow_no_abnormality = False
        if obj.is_hotspot and getattr(form, "prepared_image", None) is not None:
            # The database refuses a hotspot question without an image, and the new image is stored only
            # once the question is: it becomes a hotspot question after that (all in the admin's transaction).
            obj.kind = Question.Kind.SINGLE
        self.save_question_and_image(request, obj, form, change)
        if obj.kind != kind:
            obj.kind = kind
            obj.save(update_fields=["kind"])
        question_regions_set(question=obj, regions=form.cleaned_data["regions"] if obj.is_hotspot else [])
        if obj.is_hotspot and form.saved_kind not in (None, Question.Kind.HOTSPOT):
            # Made a hotspot question: its options go (the form refuses this once trainees answered it).
            removed, _ = obj.choices.all().delete()
            if removed:
                self.message_user(request, "Its options were removed: a hotspot question has none.", messages.INFO)
        form.upload_release()

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        version = question_version_record(
            question=form.instance, before=getattr(form, "version_before", None), changed_by=request.user
        )
        if version is not None:
            self.message_user(request, version_saved_message(version), messages.INFO)

    def save_question_and_image(self, request, obj, form, change):
        prepared = getattr(form, "prepared_image", None)
        if prepared is not None:
            # The raw upload never reaches storage: only Pillow's re-encoding of it does.
            obj.image = Question.objects.get(pk=obj.pk).image if change else ""
            alt, obj.image_alt = obj.image_alt, (obj.image_alt if obj.image else "")
            super().save_model(request, obj, form, change)
            question_image_set(question=obj, data=prepared.image.read(), name=prepared.image.name, alt=alt)
        elif change and "image" in form.changed_data and not obj.image:
            super().save_model(request, obj, form, change)
            question_image_set(question=obj, data=None)
        else:
            super().save_model(request, obj, form, change)

    def add_view(self, request, form_url="", extra_context=None):
        if request.method == "GET" and request.GET.get("kind") not in QUESTION_KIND_FORMS:
            return self.kind_chooser_view(request)
        return super().add_view(request, form_url, extra_context)

    def kind_chooser_view(self, request):
        """Adding a question starts here: the quiz and the kind it will be, then the form of that kind."""
        if not self.has_add_permission(request):
            raise PermissionDenied
        chosen = "_start" in request.GET
        form = QuestionStartForm(request.GET if chosen else None, initial={"quiz": request.GET.get("quiz")})
        form.is_valid()  # a submitted choice without a kind comes back here, saying so
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": "Add a question: choose its kind",
            "form": form,
            "quiz": self.question_quiz(request),
        }
        return render(request, "admin/quizzes/question/choose_kind.html", context)

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        response = super().changeform_view(request, object_id, form_url, extra_context)
        # The region editor shows an image chosen in the file input before it is uploaded, as a blob: URL.
        response._csp_config = {**settings.SECURE_CSP, "img-src": [*settings.SECURE_CSP["img-src"], "blob:"]}
        return response

    def render_change_form(self, request, context, add=False, change=False, form_url="", obj=None):
        form = context["adminform"].form
        if request.method == "POST":
            form.image_hold(reverse("admin:quizzes_question_kept_image"))
        kind = form.question_kind
        context |= {
            "question_kind": kind,
            "question_kinds": [
                (value, label) for value, label in Question.Kind.choices if value in QUESTION_KIND_FORMS
            ],
            "kind_fixed": obj is not None and obj.responses.exists(),
            "question_quiz_id": request.GET.get("quiz", ""),
        }
        if obj is not None and obj.pk:
            # Said before an educator edits: a change trainees would see becomes a new version.
            context["answered"] = obj.version > 1 or context["kind_fixed"]
        return super().render_change_form(request, context, add, change, form_url, obj)

    def response_add(self, request, obj, post_url_continue=None):
        # Opened from a quiz (?quiz=): "Save" leads back to the quiz, "Save and add another" to its next question.
        if "quiz" in request.GET and not {"_continue", "_popup"} & set(request.POST):
            self.message_user(request, f"The question “{obj.key}” was added successfully.", messages.SUCCESS)
            if "_addanother" in request.POST:
                return redirect(f"{reverse('admin:quizzes_question_add')}?{urlencode({'quiz': obj.quiz_id})}")
            return redirect("admin:quizzes_quiz_change", obj.quiz_id)
        return super().response_add(request, obj, post_url_continue)

    def get_urls(self):
        preview = self.admin_site.admin_view(self.preview_view)
        kept_image = self.admin_site.admin_view(self.kept_image_view)
        return [
            path("<int:question_id>/preview/", preview, name="quizzes_question_preview"),
            path("kept-image/", kept_image, name="quizzes_question_kept_image"),
            path(
                "<int:question_id>/versions/",
                self.admin_site.admin_view(self.versions_view),
                name="quizzes_question_versions",
            ),
            path(
                "<int:question_id>/versions/<int:number>/",
                self.admin_site.admin_view(self.version_view),
                name="quizzes_question_version",
            ),
            path(
                "<int:question_id>/versions/<int:number>/restore/",
                self.admin_site.admin_view(self.version_restore_view),
                name="quizzes_question_version_restore",
            ),
            path(
                "<int:question_id>/accept-answer/",
                self.admin_site.admin_view(self.accept_answer_view),
                name="quizzes_question_accept_answer",
            ),
            *super().get_urls(),
        ]

    def accept_answer_view(self, request, question_id):
        """POST: accept a typed answer the item analysis found unmatched, with full marks, then go back."""
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        question = get_object_or_404(Question, pk=question_id)
        if not self.has_change_permission(request, question):
            raise PermissionDenied
        text = request.POST.get("text", "")
        try:
            with transaction.atomic():
                # A change trainees would see in their marks: a new version once the question was answered.
                before = question_version_baseline(question=question)
                accepted = accepted_answer_add(question=question, text=text)
                question_version_record(
                    question=question, before=before, changed_by=request.user, via="Accepted from the item analysis"
                )
        except ValueError as refused:
            self.message_user(request, str(refused), messages.ERROR)
        else:
            self.message_user(
                request,
                format_html(
                    "Added “{}” as an accepted answer with full marks to question {}. Answers already given keep "
                    'their marks. <a href="{}">Edit its weight or feedback</a>.',
                    accepted.text,
                    question.key,
                    reverse("admin:quizzes_question_change", args=[question.pk]),
                ),
                messages.SUCCESS,
            )
        back = request.POST.get("next", "")
        if not url_has_allowed_host_and_scheme(back, allowed_hosts={request.get_host()}):
            back = reverse("admin:quizzes_question_change", args=[question.pk])
        return redirect(back)

    def history_question(self, request, question_id) -> Question:
        question = get_object_or_404(Question.objects.select_related("quiz"), pk=question_id)
        if not self.has_view_permission(request, question):
            raise PermissionDenied
        return question

    def history_context(self, request, question: Question, title: str) -> dict:
        return {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": title,
            "question": question,
            "can_restore": self.has_change_permission(request, question),
        }

    def versions_view(self, request, question_id):
        """The question's versions, newest first: who changed what and when, and how many answers each has."""
        question = self.history_question(request, question_id)
        per_version = question.responses.order_by().values("question_version").annotate(count=Count("pk"))
        answers = dict(per_version.values_list("question_version", "count"))
        versions = list(question.versions.select_related("changed_by"))
        for version in versions:
            version.answers = answers.get(version.number, 0)
        context = self.history_context(request, question, f"Versions of {question.key}")
        context |= {"versions": versions, "answers": sum(answers.values())}
        return render(request, "admin/quizzes/question/versions.html", context)

    def history_version(self, request, question_id, number) -> tuple[Question, QuestionVersion]:
        question = self.history_question(request, question_id)
        version = get_object_or_404(question.versions.select_related("changed_by"), number=number)
        return question, version

    def version_view(self, request, question_id, number):
        """One version as it was: stem, image, options with their rationales, regions, explanation, sources."""
        question, version = self.history_version(request, question_id, number)
        context = self.history_context(request, question, f"{question.key}: version {number}")
        context |= {"version": version, "shown": answered_question(question, version)}
        return render(request, "admin/quizzes/question/version.html", context)

    def version_restore_view(self, request, question_id, number):
        """Asks first (GET), then restores (POST) as the question's next version."""
        question, version = self.history_version(request, question_id, number)
        if not self.has_change_permission(request, question):
            raise PermissionDenied
        if request.method == "POST":
            try:
                restored = question_version_restore(version=version, restored_by=request.user)
            except VersionNotRestorable as refused:
                self.message_user(request, str(refused), messages.ERROR)
            else:
                if restored is None:
                    self.message_user(request, f"The question is already as version {number} was.", messages.INFO)
                else:
                    self.message_user(
                        request, f"Version {number} restored: {version_saved_message(restored)}", messages.SUCCESS
                    )
            return redirect("admin:quizzes_question_versions", question.pk)
        context = self.history_context(request, question, f"Restore version {number} of {question.key}?")
        context |= {"version": version}
        return render(request, "admin/quizzes/question/version_restore.html", context)

    def preview_view(self, request, question_id):
        """The question as a trainee sees it, drafts included; answering shows the feedback and records nothing."""
        question = get_object_or_404(Question.objects.for_display(), pk=question_id)
        if not self.has_view_permission(request, question):
            raise PermissionDenied
        back = admin_back_url(request, reverse("admin:quizzes_question_change", args=[question.pk]))
        return question_preview(request, question=question, position=1, total=1, back_url=back)

    def kept_image_view(self, request):
        """An image kept from a refused save, for the region editor: only ever Pillow's re-encoding of it."""
        if not (self.has_add_permission(request) or self.has_change_permission(request)):
            raise PermissionDenied
        kept = upload_kept(request.GET.get("token"))
        if kept is None:
            raise Http404("No such kept image")
        try:
            image = image_prepare(kept_upload_read(kept), kept.filename).image
        except ValidationError:
            raise Http404("No such kept image") from None
        response = HttpResponse(image.read(), content_type=IMAGE_TYPES[PurePosixPath(image.name).suffix])
        response["Content-Security-Policy"] = MEDIA_CSP
        response["Cache-Control"] = "private, no-store"
        return response


class QuestionRowsFormSet(NamedRows, forms.BaseInlineFormSet):
    def row_name(self, form, index) -> str:
        return f"Question {form.instance.key}"


class QuizRowsFormSet(NamedRows, forms.BaseModelFormSet):
    def row_name(self, form, index) -> str:
        return str(form.instance)


class QuestionInline(admin.TabularInline):
    """The quiz's questions in order, to reorder (the order numbers) and to open; each question is written
    on its own page, whose form fits its kind."""

    model = Question
    formset = QuestionRowsFormSet
    extra = 0
    fields = ["order", "key", "kind", "status", "plain_stem", "links"]
    readonly_fields = ["key", "kind", "status", "plain_stem", "links"]
    ordering = ["order", "pk"]

    @admin.display(description="stem")
    def plain_stem(self, question):
        return question_plain_stem(question)

    @admin.display(description="open")
    def links(self, question):
        return format_html(
            '<a href="{}">Edit<span class="visually-hidden"> {}</span></a> · {}',
            reverse("admin:quizzes_question_change", args=[question.pk]),
            question.key,
            preview_link(
                reverse("admin:quizzes_question_preview", args=[question.pk]),
                back=reverse("admin:quizzes_quiz_change", args=[question.quiz_id]),
                label="Preview",
                name=question.key,
            ),
        )

    def has_add_permission(self, request, obj=None):
        # A question is added on its own page, kind first: "Add a question to this quiz" leads there.
        return False


@admin.action(description="Duplicate the selected quizzes (as drafts)")
def duplicate_quizzes(modeladmin, request, queryset):
    for quiz in queryset:
        quiz_duplicate(quiz=quiz)
    modeladmin.message_user(request, f"Duplicated {queryset.count()} quiz(zes) as drafts.", messages.SUCCESS)


publish_quizzes = status_action(
    "publish_quizzes",
    Quiz.Status.PUBLISHED,
    description="Publish the selected quizzes",
    title="Publish these quizzes?",
    consequence="Trainees see a published quiz on the quiz list, with its published questions.",
    done="Published {count} quiz(zes): trainees see them now.",
)
unpublish_quizzes = status_action(
    "unpublish_quizzes",
    Quiz.Status.DRAFT,
    description="Unpublish the selected quizzes (back to draft)",
    title="Return these quizzes to draft?",
    consequence="Trainees no longer see them; attempts and answers already given are kept.",
    done="{count} quiz(zes) are drafts now, hidden from trainees.",
)


def export_action(bank_format: str, label: str):
    @admin.action(description=f"Export the selected quizzes as {label}")
    def export(modeladmin, request, queryset):
        if bank_format != "quizpack":
            hotspot_count = Question.objects.filter(quiz__in=queryset, kind=Question.Kind.HOTSPOT).count()
            if hotspot_count:
                modeladmin.message_user(
                    request,
                    f"{hotspot_count} hotspot question(s) were left out: {label} cannot hold questions "
                    "answered by clicking on an image. Export a quiz pack to keep them.",
                    messages.WARNING,
                )
        name, content, content_type = bank_download(list(queryset.order_by("slug")), bank_format)
        response = HttpResponse(content, content_type=content_type)
        response["Content-Disposition"] = f'attachment; filename="{name}"'
        return response

    export.__name__ = f"export_{bank_format}"
    return export


class BankImportForm(KeptUploadForm, forms.Form):
    kept_field = "file"
    file = forms.FileField(
        required=False,  # the file kept from the last try may stand in (clean says when neither is there)
        widget=KeptFileInput,
        help_text="A quiz pack (.yaml, or a .zip of .yaml files with an images/ folder), "
        f"Moodle XML (.xml) or GIFT (.gift or .txt). At most {megabytes(MAX_UPLOAD_BYTES)}; "
        f"banks over {megabytes(BACKGROUND_IMPORT_BYTES)} import in the background.",
    )
    bank_format = forms.ChoiceField(
        label="Format", choices=[("", "Tell by the file name"), *FORMATS.items()], required=False
    )
    slug = forms.SlugField(
        required=False, help_text="Moodle XML and GIFT only: the quiz to import into (created as a draft if new)."
    )
    title = forms.CharField(required=False, help_text="Moodle XML and GIFT only.")
    topic = forms.CharField(required=False, help_text="Moodle XML and GIFT only: a topic name.")

    def clean(self):
        cleaned = super().clean()
        upload = cleaned.get("file")
        if upload and upload.size > MAX_UPLOAD_BYTES:
            self.add_error("file", f"The file is over {megabytes(MAX_UPLOAD_BYTES)}: choose a smaller one.")
            return cleaned
        chosen = self.chosen_upload()
        if chosen is None:
            self.add_error("file", "Choose the bank's file.")
            return cleaned
        cleaned["bank_format"] = cleaned.get("bank_format") or guess_format(chosen.filename)
        if cleaned["bank_format"] != "quizpack":
            for field in ("slug", "title", "topic"):
                if not cleaned.get(field):
                    self.add_error(field, "Needed for Moodle XML and GIFT files, which hold questions only.")
        return cleaned


def digits(value: str) -> int:
    """A job id from a form or the query string: anything but digits is no job (404)."""
    if not value.isdigit():
        raise Http404("No such import")
    return int(value)


@admin.register(Quiz)
class QuizAdmin(WideList, admin.ModelAdmin):
    list_display = ["title", "topic", "kind", "status", "order", "question_count", "analysis_link"]
    list_filter = ["topic", "status", "kind"]
    list_editable = ["status", "order"]
    search_fields = ["title", "slug", "description"]
    prepopulated_fields = {"slug": ["title"]}
    inlines = [QuestionInline]
    actions = [
        duplicate_quizzes,
        publish_quizzes,
        unpublish_quizzes,
        export_action("quizpack", "a quiz pack (zip)"),
        export_action("moodle", "Moodle XML"),
        export_action("gift", "GIFT"),
    ]
    change_list_template = "admin/quizzes/quiz/change_list.html"

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(question_total=Count("questions"))

    def get_changelist_formset(self, request, **kwargs):
        return super().get_changelist_formset(request, formset=QuizRowsFormSet, **kwargs)

    @admin.display(description="results")
    def analysis_link(self, quiz):
        url = reverse("admin:quizzes_quiz_analysis", args=[quiz.pk])
        return format_html('<a href="{}">Item analysis<span class="visually-hidden"> of {}</span></a>', url, quiz.title)

    def view_on_site(self, quiz):
        # Trainees cannot open a draft quiz: its "View on site" is the educators' preview of it.
        if quiz.status == Quiz.Status.DRAFT:
            return reverse("admin:quizzes_quiz_preview", args=[quiz.pk])
        return quiz.get_absolute_url()

    def render_change_form(self, request, context, add=False, change=False, form_url="", obj=None):
        context["may_see_results"] = request.user.has_perm("quizzes.view_response")
        return super().render_change_form(request, context, add, change, form_url, obj)

    def get_urls(self):
        preview = self.admin_site.admin_view(self.preview_view)
        return [
            path("<int:quiz_id>/preview/", preview, name="quizzes_quiz_preview"),
            path("<int:quiz_id>/preview/<int:position>/", preview, name="quizzes_quiz_preview"),
            path(
                "<int:quiz_id>/analysis/", self.admin_site.admin_view(self.analysis_view), name="quizzes_quiz_analysis"
            ),
            path(
                "<int:quiz_id>/responses.csv",
                self.admin_site.admin_view(self.responses_csv_view),
                name="quizzes_quiz_responses_csv",
            ),
            path("import/", self.admin_site.admin_view(self.import_view), name="quizzes_quiz_import"),
            *super().get_urls(),
        ]

    def preview_view(self, request, quiz_id, position=1):
        """The quiz question by question as trainees see it, drafts included; answering records nothing."""
        quiz = get_object_or_404(Quiz, pk=quiz_id)
        if not self.has_view_permission(request, quiz):
            raise PermissionDenied
        back = admin_back_url(request, reverse("admin:quizzes_quiz_change", args=[quiz.pk]))
        question_ids = list(quiz.questions.in_quiz_order().values_list("pk", flat=True))
        if not 1 <= position <= len(question_ids):
            if not question_ids:
                self.message_user(request, "This quiz has no questions to preview yet.", messages.WARNING)
                return redirect(back)
            raise Http404("No such question in the quiz")
        next_url = ""
        if position < len(question_ids):
            next_url = reverse("admin:quizzes_quiz_preview", args=[quiz.pk, position + 1])
            next_url += "?" + urlencode({"from": back})
        return question_preview(
            request,
            question=get_object_or_404(Question.objects.for_display(), pk=question_ids[position - 1]),
            position=position,
            total=len(question_ids),
            back_url=back,
            next_url=next_url,
        )

    def results_quiz(self, request, quiz_id) -> Quiz:
        """Results are for people who may view responses (educators), not for every staff member."""
        if not request.user.has_perm("quizzes.view_response"):
            raise PermissionDenied
        return get_object_or_404(Quiz, pk=quiz_id)

    def analysis_view(self, request, quiz_id):
        quiz = self.results_quiz(request, quiz_id)
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": f"Item analysis: {quiz.title}",
            "quiz": quiz,
            "analysis": quiz_item_analysis(quiz),
            "points_per_question": POINTS_PER_QUESTION,
            "thresholds": {
                "too_hard": FACILITY_TOO_HARD,
                "too_easy": FACILITY_TOO_EASY,
                "too_hard_points": FACILITY_TOO_HARD * POINTS_PER_QUESTION,
                "too_easy_points": FACILITY_TOO_EASY * POINTS_PER_QUESTION,
                "discrimination": DISCRIMINATION_MINIMUM,
                "judge": MIN_FIRST_ATTEMPTS_TO_JUDGE,
            },
        }
        return render(request, "admin/quizzes/quiz/analysis.html", context)

    def import_view(self, request):
        """Check a bank (dry run) and import the checked file, or upload and import at once; a job's page
        (?job=<id>) shows its state and report, and recent jobs are listed."""
        if not (self.has_add_permission(request) and self.has_change_permission(request)):
            raise PermissionDenied
        form = BankImportForm(request.POST or None, request.FILES or None)
        job = None
        if request.method == "POST" and "job" in request.POST:
            job = self.import_start(request, get_object_or_404(BankImport, pk=digits(request.POST["job"])))
            form = BankImportForm()
            # The checked file's copy kept for the form goes once the import has it; until then it stays.
            if kept := upload_kept(request.POST.get(kept_field_name("file"))):
                form.upload_show(kept)
                if job.state not in (BankImport.State.CHECKED, BankImport.State.FAILED):
                    form.upload_release()
                    form = BankImportForm()
        elif request.method == "POST" and form.is_valid():
            job = bank_import_check(
                name=form.chosen.filename,
                data=form.chosen.data,
                bank_format=form.cleaned_data["bank_format"],
                user=request.user,
                slug=form.cleaned_data["slug"],
                title=form.cleaned_data["title"],
                topic=form.cleaned_data["topic"],
            )
            if "dry_run" not in request.POST and job.state == BankImport.State.CHECKED:
                job = self.import_start(request, job)
            if job.state in (BankImport.State.CHECKED, BankImport.State.FAILED):
                form.upload_hold()  # to check again with other settings, or import, without choosing it again
            else:
                form.upload_release()
                form = BankImportForm()
        elif request.method == "POST":
            if form.chosen is not None:
                form.upload_hold()
        elif "job" in request.GET:
            job = get_object_or_404(BankImport, pk=digits(request.GET["job"]))
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "form": form,
            "title": "Import a question bank",
            "job": job,
            "recent_jobs": BankImport.objects.select_related("uploaded_by")[:10],
        }
        return render(request, "admin/quizzes/quiz/import.html", context)

    def import_start(self, request, job: BankImport) -> BankImport:
        try:
            job = bank_import_start(bank_import=job)
        except ImportNotStartable as refused:
            self.message_user(request, str(refused), messages.ERROR)
            return job
        if job.state == BankImport.State.DONE:
            count = len(job.report.get("imported", []))
            self.message_user(request, f"Imported {count} quiz(zes).", messages.SUCCESS)
        elif job.state == BankImport.State.FAILED:
            self.message_user(
                request, "The import failed and nothing was saved: see the problems below.", messages.ERROR
            )
        else:
            self.message_user(
                request, "The bank is importing in the background: this page shows its progress.", messages.INFO
            )
        return job

    def responses_csv_view(self, request, quiz_id):
        quiz = self.results_quiz(request, quiz_id)
        return csv_download(responses_csv_rows(quiz), f"{quiz.slug}-responses.csv")

    @admin.display(description="questions", ordering="question_total")
    def question_count(self, quiz):
        return quiz.question_total


class ResponseInline(admin.TabularInline):
    model = Response
    extra = 0
    fields = ["question", "typed_answer", "is_correct", "points", "confidence", "answered_at", "seconds_taken"]
    readonly_fields = fields
    can_delete = False


@admin.register(Attempt)
class AttemptAdmin(admin.ModelAdmin):
    list_display = ["user", "kind", "quiz", "mode", "is_ranked", "started_at", "finished_at", "score", "max_score"]
    list_filter = ["kind", "mode", "is_ranked", "quiz"]
    list_select_related = ["user", "quiz"]
    search_fields = ["user__username", "user__display_name", "quiz__title"]
    readonly_fields = [
        "user",
        "kind",
        "quiz",
        "mode",
        "is_ranked",
        "started_at",
        "deadline",
        "last_answered_at",
        "answered_count",
        "points_so_far",
        "finished_at",
        "score",
        "max_score",
    ]
    inlines = [ResponseInline]

    def has_add_permission(self, request):
        return False


@admin.action(description="Mark the selected reports resolved", permissions=["change"])
def resolve_reports(modeladmin, request, queryset):
    resolved = problem_reports_resolve(reports=queryset, educator=request.user)
    already = queryset.count() - resolved
    message = f"{resolved} report{'' if resolved == 1 else 's'} marked resolved: the trainees see it on My progress."
    if already:
        message += f" {already} already resolved, left as {'it was' if already == 1 else 'they were'}."
    modeladmin.message_user(request, message, messages.SUCCESS)


@admin.register(ProblemReport)
class ProblemReportAdmin(admin.ModelAdmin):
    """The educators' queue: open reports first, each with the question and the trainee's answer."""

    list_display = ["created_at", "question_link", "version_seen", "reason", "status", "reporter", "resolved_at"]
    list_filter = ["status", "reason", "question__quiz"]
    list_select_related = ["question__quiz", "reporter"]
    search_fields = ["note", "question__stem", "question__key", "reporter__username"]
    actions = [resolve_reports]
    fields = [
        "question_link",
        "version_seen",
        "reporter",
        "reason",
        "note",
        "trainee_answer",
        "created_at",
        "status",
        "resolved_by",
        "resolved_at",
        "reply",
    ]
    readonly_fields = [field for field in fields if field not in ("status", "reply")]

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .select_related("response", "question__quiz")
            .order_by("-status", "-created_at")
        )

    def has_add_permission(self, request):
        return False  # reports come from trainees

    def has_delete_permission(self, request, obj=None):
        return request.user.is_superuser

    @admin.display(description="question")
    def question_link(self, report):
        url = reverse("admin:quizzes_question_change", args=[report.question_id])
        return format_html('<a href="{}">{}</a>', url, report.question)

    @admin.display(description="version seen")
    def version_seen(self, report):
        """The version the trainee saw, linked to it when the question has changed since."""
        if report.question_version == report.question.version:
            return f"{report.question_version} (current)"
        url = reverse("admin:quizzes_question_version", args=[report.question_id, report.question_version])
        return format_html(
            '<a href="{}">{}<span class="visually-hidden"> of {}</span></a> (now {})',
            url,
            report.question_version,
            report.question,
            report.question.version,
        )

    @admin.display(description="the trainee's answer")
    def trainee_answer(self, report):
        response = report.response
        if response is None:
            return "Not answered when reported."
        verdict = "right" if response.is_correct else "wrong"
        if report.question.is_hotspot:
            given = (
                f"a click at {response.point_x:.0%} across, {response.point_y:.0%} down"
                if response.has_point
                else "No abnormality"
            )
        elif report.question.is_short_answer:
            given = f"typed “{response.typed_answer}”"
        elif report.question.is_matching:
            numbers = {stem.pk: n for n, stem in enumerate(report.question.match_stems.all(), start=1)}
            matches = sorted(
                (numbers.get(m.stem_id, 0), m.choice.text) for m in response.matches.select_related("choice")
            )
            given = "; ".join(f"item {number}: {text}" for number, text in matches) or "nothing chosen"
        else:
            given = "; ".join(choice.text for choice in response.chosen.all()) or "nothing chosen"
        return f"{given} ({verdict}, {response.points} points)"

    def save_model(self, request, obj, form, change):
        # Resolving goes through the service, which stamps who and when (the constraint requires both).
        if "status" in form.changed_data and obj.is_resolved:
            problem_reports_resolve(
                reports=ProblemReport.objects.filter(pk=obj.pk), educator=request.user, reply=obj.reply
            )
            obj.refresh_from_db()
            return
        if not obj.is_resolved:
            obj.resolved_by, obj.resolved_at = None, None  # reopened
        super().save_model(request, obj, form, change)
