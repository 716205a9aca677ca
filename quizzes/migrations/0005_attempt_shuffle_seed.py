"""Attempts get a secret shuffle seed; those already started keep the option order they show.

Until now quizzes/options.py seeded each question's shuffle with f"{attempt_id}:{question_id}". It
now seeds with f"{shuffle_seed}:{question_id}", so an attempt whose seed is its own id, as text,
shows exactly the order it showed before. New attempts get a random seed when first saved
(Attempt.save).
"""

from django.db import migrations, models
from django.db.models.functions import Cast


def seeds_from_ids(apps, schema_editor):
    Attempt = apps.get_model("quizzes", "Attempt")
    Attempt.objects.update(shuffle_seed=Cast("pk", models.CharField(max_length=32)))


class Migration(migrations.Migration):
    dependencies = [
        ("quizzes", "0004_source_url_http_only"),
    ]

    operations = [
        migrations.AddField(
            model_name="attempt",
            name="shuffle_seed",
            field=models.CharField(default="", editable=False, max_length=32),
            preserve_default=False,
        ),
        migrations.RunPython(seeds_from_ids, migrations.RunPython.noop),
    ]
