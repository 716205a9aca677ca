"""Seeds a benchmark's throwaway site, inside Django with the server's settings (harness.Site.prepare runs it):
the bundled quizzes, simulated trainees with sessions, a cohort for the leaderboards, and each question's key.

    python benchmarks/seeding.py OUT.json --trainees N [--sign-ins M] [--cohort C]

OUT.json holds {"quizzes": {slug: [question ids in order]}, "keys": {question id: key}, "trainees":
[{"username", "session"}], "database"}. A key says what a well-formed answer to its question is (harness.FORMS turns
it into the posted form). Trainees after the first --sign-ins hold sessions made here: hashing a password
costs 0.35 s of CPU, so signing every trainee in through the form would take much of a run.
"""

import argparse
import json
import secrets
import string
import sys
from datetime import timedelta
from importlib import import_module
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import django

django.setup()

from django.conf import settings  # noqa: E402
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY  # noqa: E402
from django.contrib.auth.hashers import make_password  # noqa: E402
from django.contrib.sessions.models import Session  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.utils import timezone  # noqa: E402

from benchmarks.harness import FORMS, PASSWORD  # noqa: E402
from quizzes.models import Question, Quiz, User  # noqa: E402
from quizzes.scoring import regions_hit  # noqa: E402


def option_labels(question: Question) -> dict:
    offered = [choice for choice in question.choices.all() if not choice.retired]
    return {"labels": list(string.ascii_uppercase[: len(offered)])}


def target_point(question: Question) -> dict:
    """A point inside one of the question's targets, as the site's own hit test finds it; "No
    abnormality" for a question without targets."""
    regions = list(question.regions.all())
    if not regions:
        return {"no_abnormality": True}
    for region in regions:
        geometry = region.geometry
        if region.shape == "ellipse":
            candidates = [(geometry["cx"], geometry["cy"])]
        else:
            xs, ys = zip(*geometry["points"], strict=True)
            # The vertices' mean, else the first point of a grid over the polygon's box that lies inside
            # (a concave polygon's mean can fall outside it).
            candidates = [(sum(xs) / len(xs), sum(ys) / len(ys))] + [
                (min(xs) + (max(xs) - min(xs)) * i / 20, min(ys) + (max(ys) - min(ys)) * j / 20)
                for i in range(1, 20)
                for j in range(1, 20)
            ]
        for point in candidates:
            if regions_hit([region], point):
                return {"point": list(point)}
    raise SystemExit(f"No point inside any target of question {question.pk} ({question.key})")


def accepted_text(question: Question) -> dict:
    """The accepted answer worth most, as a trainee would type it (a `*` wildcard typed as nothing)."""
    best = max(question.accepted_answers.all(), key=lambda accepted: accepted.weight)
    return {"text": best.text.replace("*", "")}


def stems_and_labels(question: Question) -> dict:
    return {"stems": len(question.match_stems.all())} | option_labels(question)


# Every kind of question the site has: a kind missing here stops the seeding, before any load, until
# its key is added here and its form in harness.FORMS.
KEYS = {
    "single": option_labels,
    "true_false": option_labels,
    "multiple": option_labels,
    "hotspot": target_point,
    "short_answer": accepted_text,
    "matching": stems_and_labels,
}


def answer_key(question: Question) -> dict:
    if question.kind not in KEYS or question.kind not in FORMS:
        raise SystemExit(
            f"The benchmarks cannot answer {question.kind!r} questions ({question.key}): add the kind to KEYS "
            "in benchmarks/seeding.py and to FORMS in benchmarks/harness.py."
        )
    return {"kind": question.kind} | KEYS[question.kind](question)


def trainees_with_sessions(count: int, sign_ins: int) -> list[dict]:
    # One hash for every account: the passwords are the same, and hashing each would take minutes of CPU.
    hashed = make_password(PASSWORD)
    users = User.objects.bulk_create(
        [User(username=f"trainee{n}", display_name=f"Trainee {n}", password=hashed) for n in range(count)]
    )
    store = import_module(settings.SESSION_ENGINE).SessionStore
    expires = timezone.now() + timedelta(seconds=settings.SESSION_COOKIE_AGE)
    sessions, keys = [], {}
    for user in users[sign_ins:]:
        key = secrets.token_hex(16)
        data = {
            SESSION_KEY: str(user.pk),
            BACKEND_SESSION_KEY: "django.contrib.auth.backends.ModelBackend",
            HASH_SESSION_KEY: user.get_session_auth_hash(),
        }
        sessions.append(Session(session_key=key, session_data=store().encode(data), expire_date=expires))
        keys[user.username] = key
    Session.objects.bulk_create(sessions, batch_size=500)
    return [{"username": user.username, "session": keys.get(user.username)} for user in users]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out", type=Path)
    parser.add_argument("--trainees", type=int, required=True)
    parser.add_argument("--sign-ins", type=int, default=0, help="trainees left without a session, to log in")
    parser.add_argument("--cohort", type=int, default=0, help="other trainees with answers, on the leaderboards")
    args = parser.parse_args()

    call_command("load_content", verbosity=0)
    bundled = list(Quiz.objects.published())  # before the cohort's quizzes exist
    quizzes = {
        quiz.slug: list(quiz.questions.for_trainees().in_quiz_order().values_list("pk", flat=True)) for quiz in bundled
    }
    questions = (
        Question.objects.filter(quiz__in=bundled)
        .for_trainees()
        .prefetch_related("choices", "regions", "accepted_answers", "match_stems")
    )
    keys = {question.pk: answer_key(question) for question in questions}
    if args.cohort:
        # Twenty answers each in quizzes of their own: boards as full as a cohort's, the bundled quizzes untouched.
        call_command(
            "seed_benchmark", users=args.cohort, questions=100, responses=20 * args.cohort, prefix="cohort", verbosity=0
        )
    trainees = trainees_with_sessions(args.trainees, args.sign_ins)
    with connection.cursor() as cursor:
        cursor.execute("SHOW server_version" if connection.vendor == "postgresql" else "SELECT sqlite_version()")
        database = f"{connection.display_name} {cursor.fetchone()[0]}"
    args.out.write_text(json.dumps({"quizzes": quizzes, "keys": keys, "trainees": trainees, "database": database}))


if __name__ == "__main__":
    main()
