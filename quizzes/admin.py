"""Authoring in the Django admin: quizzes with their questions, questions with their options."""

from django import forms
from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, render
from django.urls import path, reverse
from django.utils.html import format_html

from quizzes.analysis import (
    DISCRIMINATION_MINIMUM,
    FACILITY_TOO_EASY,
    FACILITY_TOO_HARD,
    quiz_item_analysis,
    responses_csv_rows,
)
from quizzes.bank import BankInvalid
from quizzes.bank.download import bank_download
from quizzes.bank.upload import FORMATS, guess_format, read_bank_upload
from quizzes.downloads import csv_download
from quizzes.forms import AnswerForm
from quizzes.images import image_prepare
from quizzes.models import Attempt, Choice, Question, Quiz, Response, Source, Topic, User
from quizzes.options import presented_options
from quizzes.rules import option_problems
from quizzes.services.attempts import answer_is_correct
from quizzes.services.content import question_duplicate, quiz_duplicate, quiz_packs_save
from quizzes.services.questions import question_image_set

MAX_UPLOAD_BYTES = 20 * 1024 * 1024


@admin.register(User)
class QuizUserAdmin(UserAdmin):
    fieldsets = UserAdmin.fieldsets + (("Quiz site", {"fields": ["display_name"]}),)
    list_display = ["username", "display_name", "email", "is_staff"]


@admin.register(Topic)
class TopicAdmin(admin.ModelAdmin):
    list_display = ["name", "order"]
    list_editable = ["order"]
    prepopulated_fields = {"slug": ["name"]}
    search_fields = ["name"]


@admin.register(Source)
class SourceAdmin(admin.ModelAdmin):
    list_display = ["title", "publisher", "published_on", "doi"]
    search_fields = ["title", "publisher", "doi", "key"]


class ChoiceFormSet(forms.BaseInlineFormSet):
    """Refuses a question whose options break the rules for its kind, saying which rule."""

    def clean(self):
        super().clean()
        if any(self.errors):
            return
        options = [
            (form.cleaned_data.get("text", ""), form.cleaned_data.get("is_correct", False))
            for form in self.forms
            if form.cleaned_data and not form.cleaned_data.get("DELETE")
        ]
        problems = option_problems(self.instance.kind, options)
        if problems:
            raise ValidationError(problems)


class ChoiceInline(admin.TabularInline):
    model = Choice
    formset = ChoiceFormSet
    extra = 1
    min_num = 2
    fields = ["order", "text", "is_correct", "rationale"]
    formfield_overrides = {Choice._meta.get_field("rationale").__class__: {"widget": forms.Textarea(attrs={"rows": 2})}}


class QuestionAdminForm(forms.ModelForm):
    class Meta:
        model = Question
        fields = "__all__"

    def clean(self):
        cleaned = super().clean()
        upload = self.files.get(self.add_prefix("image"))
        if upload is not None:
            try:
                self.prepared_image = image_prepare(upload.read(), upload.name)
            except ValidationError as error:
                self.add_error("image", error)
        has_image = upload is not None or (cleaned.get("image") and self.instance.image)
        if has_image and not cleaned.get("image_alt", "").strip():
            self.add_error("image_alt", "Describe the image for people who cannot see it (alt text is required).")
        return cleaned


@admin.action(description="Duplicate the selected questions")
def duplicate_questions(modeladmin, request, queryset):
    for question in queryset:
        question_duplicate(question=question)
    modeladmin.message_user(request, f"Duplicated {queryset.count()} question(s).", messages.SUCCESS)


@admin.register(Question)
class QuestionAdmin(admin.ModelAdmin):
    form = QuestionAdminForm
    list_display = ["key", "short_stem", "quiz", "kind", "order", "thumbnail_preview", "preview_link"]
    list_filter = ["quiz__topic", "quiz", "kind", "quiz__status", "sources"]
    list_select_related = ["quiz"]
    search_fields = ["key", "stem", "explanation", "choices__text"]
    inlines = [ChoiceInline]
    actions = [duplicate_questions]
    class Media:
        css = {"all": ["quizzes/admin.css"]}

    fieldsets = [
        (None, {"fields": ["quiz", "key", "order", "kind"]}),
        ("Question", {"fields": ["stage", "stem", "image", "image_alt"]}),
        ("After answering", {"fields": ["explanation", "learning_point", "sources"]}),
    ]

    @admin.display(description="stem")
    def short_stem(self, question):
        return question.stem[:80] + ("…" if len(question.stem) > 80 else "")

    @admin.display(description="image")
    def thumbnail_preview(self, question):
        if not question.thumbnail:
            return "–"
        return format_html('<img src="{}" alt="{}" class="admin-thumbnail">', question.thumbnail.url, question.image_alt)

    @admin.display(description="preview")
    def preview_link(self, question):
        url = reverse("admin:quizzes_question_preview", args=[question.pk])
        return format_html('<a href="{}">Preview as trainee<span class="visually-hidden"> ({})</span></a>', url, question.key)

    def save_model(self, request, obj, form, change):
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

    def get_urls(self):
        preview = self.admin_site.admin_view(self.preview_view)
        return [path("<int:question_id>/preview/", preview, name="quizzes_question_preview"), *super().get_urls()]

    def preview_view(self, request, question_id):
        """The question as a trainee sees it; answering shows the feedback and records nothing."""
        question = get_object_or_404(Question.objects.for_display(), pk=question_id)
        if not self.has_view_permission(request, question):
            raise PermissionDenied
        options = presented_options(question, attempt_id=0)
        form = AnswerForm(request.POST or None, question=question, options=options)
        context = {
            "preview": True, "quiz": question.quiz, "question": question, "options": options, "form": form,
            "answer_url": request.path, "position": 1, "total": 1, "answered": 0, "points": 0,
            "earlier_stages": [],
        }
        if request.method == "POST" and form.is_valid():
            chosen = form.cleaned_data["chosen"]
            context |= {
                "response": Response(is_correct=answer_is_correct(question=question, chosen=chosen)),
                "chosen_ids": {choice.pk for choice in chosen},
            }
        template = "quizzes/question.html#question" if request.htmx else "quizzes/question.html"
        return render(request, template, context)


class QuestionInline(admin.TabularInline):
    model = Question
    extra = 0
    fields = ["order", "key", "kind", "stem", "edit_link"]
    readonly_fields = ["edit_link"]
    ordering = ["order", "pk"]
    show_change_link = True
    formfield_overrides = {Question._meta.get_field("stem").__class__: {"widget": forms.Textarea(attrs={"rows": 2})}}

    @admin.display(description="options")
    def edit_link(self, question):
        if not question.pk:
            return "–"
        return format_html('<a href="{}">Edit options<span class="visually-hidden"> of {}</span></a>',
                           reverse("admin:quizzes_question_change", args=[question.pk]), question.key)

    def has_add_permission(self, request, obj=None):
        # A question needs its options, which this inline cannot show: add questions on their own page.
        return False


@admin.action(description="Duplicate the selected quizzes (as drafts)")
def duplicate_quizzes(modeladmin, request, queryset):
    for quiz in queryset:
        quiz_duplicate(quiz=quiz)
    modeladmin.message_user(request, f"Duplicated {queryset.count()} quiz(zes) as drafts.", messages.SUCCESS)


@admin.action(description="Publish the selected quizzes")
def publish_quizzes(modeladmin, request, queryset):
    queryset.update(status=Quiz.Status.PUBLISHED)


@admin.action(description="Unpublish the selected quizzes (back to draft)")
def unpublish_quizzes(modeladmin, request, queryset):
    queryset.update(status=Quiz.Status.DRAFT)


def export_action(bank_format: str, label: str):
    @admin.action(description=f"Export the selected quizzes as {label}")
    def export(modeladmin, request, queryset):
        name, content, content_type = bank_download(list(queryset.order_by("slug")), bank_format)
        response = HttpResponse(content, content_type=content_type)
        response["Content-Disposition"] = f'attachment; filename="{name}"'
        return response

    export.__name__ = f"export_{bank_format}"
    return export


class BankImportForm(forms.Form):
    file = forms.FileField(help_text="A quiz pack (.yaml, or a .zip of .yaml files with an images/ folder), "
                                     "Moodle XML (.xml) or GIFT (.gift or .txt).")
    bank_format = forms.ChoiceField(label="Format", choices=[("", "Tell by the file name"), *FORMATS.items()],
                                    required=False)
    slug = forms.SlugField(required=False, help_text="Moodle XML and GIFT only: the quiz to import into "
                                                     "(created as a draft if new).")
    title = forms.CharField(required=False, help_text="Moodle XML and GIFT only.")
    topic = forms.CharField(required=False, help_text="Moodle XML and GIFT only: a topic name.")

    def clean(self):
        cleaned = super().clean()
        upload = cleaned.get("file")
        if upload is not None:
            if upload.size > MAX_UPLOAD_BYTES:
                self.add_error("file", f"The file is over {MAX_UPLOAD_BYTES // 1024 // 1024} MB.")
            cleaned["bank_format"] = cleaned.get("bank_format") or guess_format(upload.name)
            if cleaned["bank_format"] != "quizpack":
                for field in ("slug", "title", "topic"):
                    if not cleaned.get(field):
                        self.add_error(field, "Needed for Moodle XML and GIFT files, which hold questions only.")
        return cleaned


@admin.register(Quiz)
class QuizAdmin(admin.ModelAdmin):
    list_display = ["title", "topic", "kind", "status", "order", "question_count", "analysis_link"]
    list_filter = ["topic", "status", "kind"]
    list_editable = ["status", "order"]
    search_fields = ["title", "slug", "description"]
    prepopulated_fields = {"slug": ["title"]}
    inlines = [QuestionInline]
    actions = [
        duplicate_quizzes, publish_quizzes, unpublish_quizzes,
        export_action("quizpack", "a quiz pack (zip)"), export_action("moodle", "Moodle XML"), export_action("gift", "GIFT"),
    ]
    change_list_template = "admin/quizzes/quiz/change_list.html"

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(question_total=Count("questions"))

    @admin.display(description="results")
    def analysis_link(self, quiz):
        url = reverse("admin:quizzes_quiz_analysis", args=[quiz.pk])
        return format_html('<a href="{}">Item analysis<span class="visually-hidden"> of {}</span></a>', url, quiz.title)

    def get_urls(self):
        return [
            path("<int:quiz_id>/analysis/", self.admin_site.admin_view(self.analysis_view), name="quizzes_quiz_analysis"),
            path("<int:quiz_id>/responses.csv", self.admin_site.admin_view(self.responses_csv_view),
                 name="quizzes_quiz_responses_csv"),
            path("import/", self.admin_site.admin_view(self.import_view), name="quizzes_quiz_import"),
            *super().get_urls(),
        ]

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
            "thresholds": {"too_hard": FACILITY_TOO_HARD, "too_easy": FACILITY_TOO_EASY,
                           "discrimination": DISCRIMINATION_MINIMUM},
        }
        return render(request, "admin/quizzes/quiz/analysis.html", context)

    def import_view(self, request):
        """Check a bank (dry run) or import it: every quiz in it, or nothing."""
        if not (self.has_add_permission(request) and self.has_change_permission(request)):
            raise PermissionDenied
        form = BankImportForm(request.POST or None, request.FILES or None)
        context = {**self.admin_site.each_context(request), "opts": self.model._meta, "form": form,
                   "title": "Import a question bank"}
        if request.method == "POST" and form.is_valid():
            upload = form.cleaned_data["file"]
            dry_run = "dry_run" in request.POST
            try:
                with read_bank_upload(
                    name=upload.name, data=upload.read(), bank_format=form.cleaned_data["bank_format"],
                    slug=form.cleaned_data["slug"], title=form.cleaned_data["title"], topic=form.cleaned_data["topic"],
                ) as bank:
                    context["packs"] = bank.packs
                    if not dry_run:
                        quiz_packs_save(packs=bank.packs, images_dir=bank.images_dir)
            except BankInvalid as invalid:
                context["problems"] = invalid.problems
            except ValidationError as error:  # an image in the pack that Pillow refuses
                context["problems"] = error.messages
            else:
                context["imported"] = not dry_run
                if not dry_run:
                    self.message_user(request, f"Imported {len(bank.packs)} quiz(zes).", messages.SUCCESS)
        return render(request, "admin/quizzes/quiz/import.html", context)

    def responses_csv_view(self, request, quiz_id):
        quiz = self.results_quiz(request, quiz_id)
        return csv_download(responses_csv_rows(quiz), f"{quiz.slug}-responses.csv")

    @admin.display(description="questions", ordering="question_total")
    def question_count(self, quiz):
        return quiz.question_total


class ResponseInline(admin.TabularInline):
    model = Response
    extra = 0
    fields = ["question", "is_correct", "points", "answered_at", "seconds_taken"]
    readonly_fields = fields
    can_delete = False


@admin.register(Attempt)
class AttemptAdmin(admin.ModelAdmin):
    list_display = ["user", "quiz", "mode", "started_at", "finished_at", "score", "max_score"]
    list_filter = ["quiz", "mode"]
    list_select_related = ["user", "quiz"]
    search_fields = ["user__username", "user__display_name", "quiz__title"]
    readonly_fields = ["user", "quiz", "mode", "started_at", "last_answered_at", "finished_at", "score", "max_score"]
    inlines = [ResponseInline]

    def has_add_permission(self, request):
        return False
