"""The DATABASES setting built from the environment (quizsite/database.py)."""

from quizsite.database import database_from_url


def test_postgresql_connections_persist_without_a_health_check_query_on_every_request():
    database = database_from_url("postgres://quiz:secret@db.example.org:5433/quizsite")

    assert (database["NAME"], database["USER"], database["HOST"], database["PORT"]) == (
        "quizsite",
        "quiz",
        "db.example.org",
        "5433",
    )
    # Reused for a minute; a SELECT 1 before each request's first query would cost a round trip each.
    assert database["CONN_MAX_AGE"] == 60 and database["CONN_HEALTH_CHECKS"] is False
