"""Small factories for tests: each makes one valid object with sensible defaults."""

import itertools

from quizzes.models import Choice, Question, Quiz, Source, Topic, User

counter = itertools.count(1)


def make_user(username=None, display_name=None, password="a-long-test-password") -> User:
    n = next(counter)
    user = User.objects.create_user(
        username=username or f"trainee{n}", password=password, display_name=display_name or f"Trainee {n}"
    )
    user.raw_password = password
    return user


def make_source(**fields) -> Source:
    n = next(counter)
    defaults = {"key": f"source-{n}", "title": f"Source {n}", "publisher": "Test Publisher"}
    return Source.objects.create(**defaults | fields)


def make_quiz(*, questions=3, topic=None, status=Quiz.Status.PUBLISHED, **fields) -> Quiz:
    """A quiz with `questions` single-best-answer questions whose right option is "Right N"."""
    n = next(counter)
    topic = topic or Topic.objects.create(name=f"Topic {n}", slug=f"topic-{n}")
    quiz = Quiz.objects.create(
        **{"title": f"Quiz {n}", "slug": f"quiz-{n}", "topic": topic, "status": status} | fields
    )
    source = make_source()
    for number in range(1, questions + 1):
        make_question(quiz=quiz, order=number, sources=[source])
    return quiz


def make_question(*, quiz, order=1, kind=Question.Kind.SINGLE, options=None, sources=(), **fields) -> Question:
    """`options` is a list of (text, is_correct); by default one right and three wrong."""
    question = Question.objects.create(
        quiz=quiz,
        order=order,
        kind=kind,
        **{
            "key": f"q{order}-{next(counter)}",
            "stem": f"Stem of question {order}?",
            "explanation": f"Explanation of question {order}.",
            "learning_point": f"Learning point of question {order}.",
        }
        | fields,
    )
    if options is None:
        options = [(f"Right {order}", True), (f"Wrong {order}a", False), (f"Wrong {order}b", False), (f"Wrong {order}c", False)]
    for position, (text, is_correct) in enumerate(options):
        Choice.objects.create(
            question=question, text=text, is_correct=is_correct, order=position,
            rationale=f"Rationale for {text}: {'this is why it is right' if is_correct else 'this is why it is wrong'}.",
        )
    question.sources.set(sources or [make_source()])
    return question


def right_choices(question):
    return [choice for choice in question.choices.all() if choice.is_correct]


def wrong_choices(question):
    return [choice for choice in question.choices.all() if not choice.is_correct]
