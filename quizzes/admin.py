"""Authoring in the Django admin."""

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin

from quizzes.models import Attempt, Choice, Question, Quiz, Source, Topic, User


@admin.register(User)
class QuizUserAdmin(UserAdmin):
    fieldsets = UserAdmin.fieldsets + (("Quiz site", {"fields": ["display_name"]}),)
    list_display = ["username", "display_name", "email", "is_staff"]


@admin.register(Topic)
class TopicAdmin(admin.ModelAdmin):
    list_display = ["name", "order"]
    prepopulated_fields = {"slug": ["name"]}


@admin.register(Source)
class SourceAdmin(admin.ModelAdmin):
    list_display = ["title", "publisher", "published_on"]
    search_fields = ["title", "publisher", "doi"]


class ChoiceInline(admin.TabularInline):
    model = Choice
    extra = 0


@admin.register(Question)
class QuestionAdmin(admin.ModelAdmin):
    list_display = ["key", "quiz", "kind", "order"]
    list_filter = ["quiz__topic", "quiz", "kind"]
    search_fields = ["stem", "key"]
    inlines = [ChoiceInline]


@admin.register(Quiz)
class QuizAdmin(admin.ModelAdmin):
    list_display = ["title", "topic", "kind", "status", "order"]
    list_filter = ["topic", "status", "kind"]
    prepopulated_fields = {"slug": ["title"]}


@admin.register(Attempt)
class AttemptAdmin(admin.ModelAdmin):
    list_display = ["user", "quiz", "mode", "started_at", "finished_at", "score", "max_score"]
    list_filter = ["quiz", "mode"]
