"""A question's related rows, read in the query that finds the question.

Every question page and answer needs some of a question's related rows beside the question: its options,
a matching question's stems, a hotspot question's target regions, a short answer's accepted answers, and
the sources its feedback cites. Read with prefetch_related they cost a query each, and building each query
costs the ORM more CPU than the database takes to run it. Instead the lookup that finds the question
(quizzes/querysets.py: AttemptQuestionQuerySet.with_question_parts) adds one column, `question_parts`
(parts_sql): one JSON object holding each part as an array of its rows. parts_install turns that column
into model instances where prefetch_related puts them, so templates, scoring and quizzes/options.py read
them as they read prefetched rows.

Every part comes whatever the question's kind, and the sources before there is feedback to cite them: a
part the question does not have is an index probe that finds nothing, far cheaper than a query to skip.
"""

import datetime
import decimal
import functools
import json

from django.apps import apps
from django.db import connection, models
from django.utils import timezone

# The related sets, by the names prefetch_related takes; each is ordered by its model's Meta.ordering.
PARTS = ("choices", "match_stems", "regions", "accepted_answers", "sources")

# The JSON functions of each database: (one object from key/value pairs, an array of a group's objects,
# a subquery's JSON kept as JSON). SQLite's json_group_array gives "[]" for no rows, PostgreSQL's json_agg
# NULL (parts_install reads both); SQLite may lose the mark that a subquery's text is JSON, and json() adds it.
JSON_FUNCTIONS = {
    "sqlite": ("json_object", "json_group_array", "json({})"),
    "postgresql": ("json_build_object", "json_agg", "{}"),
}


@functools.cache
def parts_sql(question_id: str, vendor: str) -> str:
    """SQL of one JSON object holding, for each part, its rows for the question whose id is the SQL
    `question_id` (a column of the outer query). Built once for each vendor: it depends on nothing else."""
    object_of, array_of, as_json = JSON_FUNCTIONS[vendor]
    quote = connection.ops.quote_name
    members = []
    for name in PARTS:
        relation = question_model()._meta.get_field(name)
        model = relation.related_model
        row = object_of + "(" + ", ".join(f"'{column}', {value}" for column, value in columns_sql(model, vendor)) + ")"
        if relation.many_to_many:
            through = quote(relation.remote_field.through._meta.db_table)
            rows = (
                f"FROM {quote(model._meta.db_table)} part JOIN {through} link"
                f" ON link.{quote(relation.m2m_reverse_name())} = part.id"
                f" WHERE link.{quote(relation.m2m_column_name())} = {question_id}"
            )
        else:
            rows = f"FROM {quote(model._meta.db_table)} part WHERE part.{quote(relation.field.column)} = {question_id}"
        members.append(f"'{name}', " + as_json.format(f"(SELECT {array_of}({row}) {rows})"))
    parts = f"{object_of}({', '.join(members)})"
    # PostgreSQL: as text, parsed here rather than by the driver, as SQLite's is.
    return f"{parts}::text" if vendor == "postgresql" else parts


def columns_sql(model: type[models.Model], vendor: str) -> list[tuple[str, str]]:
    """(column, SQL of its value) for each of the model's columns: a JSON column as its text, as a plain
    query returns it, so that its field reads it back as it reads any row."""
    quote = connection.ops.quote_name
    pairs = []
    for field in model._meta.concrete_fields:
        value = f"part.{quote(field.column)}"
        if isinstance(field, models.JSONField) and vendor == "postgresql":
            value += "::text"
        pairs.append((field.column, value))
    return pairs


def parts_install(question: models.Model, parts_json: str) -> None:
    """Put the parts read by parts_sql where prefetch_related puts them, each option, stem, region and
    accepted answer knowing its question (as prefetched rows do, so reading it costs no query)."""
    parts = json.loads(parts_json, parse_float=decimal.Decimal)
    cache = getattr(question, "_prefetched_objects_cache", {})
    for name in PARTS:
        relation = question_model()._meta.get_field(name)
        model = relation.related_model
        rows = [row_instance(model, row) for row in parts[name] or []]
        if not relation.many_to_many:
            for row in rows:
                relation.field.set_cached_value(row, question)
        # Like the templates' own reads (Manager.all() returns the prefetched rows as they are), a list.
        cache[name] = in_model_order(model, rows)
    question._prefetched_objects_cache = cache


def question_model() -> type[models.Model]:
    # By the app registry: quizzes/querysets.py uses this module, and quizzes/models.py imports that one.
    return apps.get_model("quizzes", "Question")


def row_instance(model: type[models.Model], row: dict) -> models.Model:
    """A model instance from a row parsed from JSON, each value as the database's own rows give it."""
    fields = model._meta.concrete_fields
    return model.from_db(
        connection.alias, [field.attname for field in fields], [read(field, row[field.column]) for field in fields]
    )


def read(field: models.Field, value):
    """A JSON value as the field holds it when read from the database."""
    if value is None:
        return None
    value = field.to_python(value)
    if isinstance(field, models.DateTimeField) and timezone.is_naive(value):
        value = timezone.make_aware(value, datetime.UTC)  # SQLite stores UTC without the offset
    elif isinstance(field, models.DecimalField):
        value = value.quantize(decimal.Decimal(1).scaleb(-field.decimal_places))
    if hasattr(field, "from_db_value"):  # a JSON column's text parsed; rendered HTML marked safe
        value = field.from_db_value(value, None, connection)
    return value


def in_model_order(model: type[models.Model], rows: list) -> list:
    """The rows in the order of the model's Meta.ordering, as a related manager reads them (the question
    they share, first in some orderings, changes nothing)."""
    for name in reversed(model._meta.ordering):
        descending = name.startswith("-")
        name = name.removeprefix("-")
        attname = model._meta.pk.attname if name == "pk" else model._meta.get_field(name).attname
        rows.sort(key=lambda row, attname=attname: getattr(row, attname), reverse=descending)
    return rows
