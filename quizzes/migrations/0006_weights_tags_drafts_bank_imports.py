"""Issue 13's import and issue 16's answer history: option weights and retirement, question tags (and
practice sets drawn from a tag), ID numbers and draft status, the bank import job table, and Response.chosen's rows as a model whose option
is protected. Existing questions stay published and existing options keep no weight (the site's usual
rule), so nothing already answered scores differently."""

import django.db.models.deletion
import django.db.models.functions.text
import django.utils.timezone
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("quizzes", "0005_attempt_shuffle_seed"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddField(
            model_name="choice",
            name="weight",
            field=models.DecimalField(
                blank=True,
                decimal_places=7,
                help_text="This option's share of the question's points, from -1 to 1 (0.5 is half marks; negative "
                "takes points off a multiple-select answer). Leave every option of a question empty for the site's "
                "usual rule: the right option scores all, a multiple-select answer earns partial credit.",
                max_digits=8,
                null=True,
            ),
        ),
        migrations.AddConstraint(
            model_name="choice",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    ("weight__isnull", True), models.Q(("weight__gte", -1), ("weight__lte", 1)), _connector="OR"
                ),
                name="choice_weight_between_minus_one_and_one",
            ),
        ),
        migrations.AddField(
            model_name="choice",
            name="retired",
            field=models.BooleanField(
                default=False,
                help_text="Retired options are no longer offered; answers that chose one keep it (an option "
                "trainees chose cannot be deleted).",
            ),
        ),
        migrations.CreateModel(
            name="Tag",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("name", models.CharField(max_length=100)),
                ("slug", models.SlugField(allow_unicode=True, max_length=100, unique=True)),
            ],
            options={"ordering": ["name"]},
        ),
        migrations.AddConstraint(
            model_name="tag",
            constraint=models.UniqueConstraint(
                django.db.models.functions.text.Lower("name"), name="tag_name_unique_ignoring_case"
            ),
        ),
        migrations.AddField(
            model_name="question",
            name="tags",
            field=models.ManyToManyField(blank=True, related_name="questions", to="quizzes.tag"),
        ),
        migrations.AlterField(
            model_name="attempt",
            name="kind",
            field=models.CharField(
                choices=[
                    ("quiz", "Quiz"),
                    ("mistakes", "Practise my mistakes"),
                    ("review", "Due today (spaced repetition)"),
                    ("tag", "Practise a tag"),
                ],
                default="quiz",
                max_length=10,
            ),
        ),
        migrations.AddField(
            model_name="attempt",
            name="tag",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.SET_NULL,
                related_name="+",
                to="quizzes.tag",
            ),
        ),
        migrations.AddField(
            model_name="question",
            name="idnumber",
            field=models.CharField(
                blank=True,
                help_text="Another system's identifier for the question (Moodle's ID number): when set, it identifies "
                "the question within its quiz on re-import, before the key.",
                max_length=100,
                verbose_name="ID number",
            ),
        ),
        migrations.AddConstraint(
            model_name="question",
            constraint=models.UniqueConstraint(
                condition=models.Q(("idnumber", ""), _negated=True),
                fields=("quiz", "idnumber"),
                name="question_idnumber_unique_in_quiz",
            ),
        ),
        migrations.AddField(
            model_name="question",
            name="status",
            field=models.CharField(
                choices=[("draft", "Draft"), ("published", "Published")],
                default="published",
                help_text="Draft questions are hidden from trainees until an educator finishes and publishes them.",
                max_length=20,
            ),
        ),
        # Response.chosen's table already exists, made by Django for the plain many-to-many: the model
        # that now names it changes only Django's picture of it (and its option becomes PROTECT, which
        # Django enforces, not the database), so the database is left as it is.
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name="ResponseChoice",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                            ),
                        ),
                        (
                            "choice",
                            models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, to="quizzes.choice"),
                        ),
                        (
                            "response",
                            models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, to="quizzes.response"),
                        ),
                    ],
                    options={"db_table": "quizzes_response_chosen", "unique_together": {("response", "choice")}},
                ),
                migrations.AlterField(
                    model_name="response",
                    name="chosen",
                    field=models.ManyToManyField(
                        related_name="responses", through="quizzes.ResponseChoice", to="quizzes.choice"
                    ),
                ),
            ],
        ),
        migrations.CreateModel(
            name="BankImport",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("file", models.FileField(upload_to="bank-imports/")),
                ("original_name", models.CharField(max_length=255)),
                ("bank_format", models.CharField(max_length=20)),
                ("size", models.PositiveIntegerField()),
                ("quiz_slug", models.SlugField(blank=True, max_length=120)),
                ("quiz_title", models.CharField(blank=True, max_length=200)),
                ("quiz_topic", models.CharField(blank=True, max_length=120)),
                (
                    "uploaded_by",
                    models.ForeignKey(
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
                (
                    "state",
                    models.CharField(
                        choices=[
                            ("checked", "Checked (dry run)"),
                            ("queued", "Waiting to import"),
                            ("running", "Importing"),
                            ("done", "Imported"),
                            ("failed", "Failed"),
                        ],
                        default="checked",
                        max_length=10,
                    ),
                ),
                ("report", models.JSONField(blank=True, default=dict)),
                ("created_at", models.DateTimeField(default=django.utils.timezone.now)),
                ("finished_at", models.DateTimeField(blank=True, null=True)),
            ],
            options={"ordering": ["-created_at", "-pk"]},
        ),
    ]
