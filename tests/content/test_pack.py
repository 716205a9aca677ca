"""The bundled content pack, as loaded into the database: complete, valid and sourced."""

import pytest
from django.core.management import call_command

from quizzes.models import Question, Quiz
from quizzes.scoring import POINTS_PER_QUESTION, Answer, accepted_answer_matched, answer_scored

MINIMUM_QUESTIONS = {
    "miliary-metastases": 12,
    "pulmonary-metastases": 20,
    "mesothelioma-case": 5,
    "metastasis-basics": 5,
    "subcutaneous-metastasis-case": 6,
    "find-the-lesion": 4,
    "name-and-match": 6,
}


@pytest.fixture
def pack(db):
    call_command("load_content", verbosity=0)


def all_questions():
    return Question.objects.select_related("quiz").prefetch_related("choices", "sources")


def test_the_pack_has_at_least_fifty_questions_and_each_quizs_minimum(pack):
    counts = {quiz.slug: quiz.questions.count() for quiz in Quiz.objects.all()}

    assert sum(counts.values()) >= 50
    for slug, minimum in MINIMUM_QUESTIONS.items():
        assert counts[slug] >= minimum, slug


def test_every_question_has_the_right_number_of_right_options(pack):
    typed_or_matched = [Question.Kind.HOTSPOT, Question.Kind.SHORT_ANSWER, Question.Kind.MATCHING]
    for question in all_questions().exclude(kind__in=typed_or_matched):
        right = sum(choice.is_correct for choice in question.choices.all())
        assert question.choices.count() >= 2, question.key
        if question.kind == Question.Kind.SINGLE:
            assert right == 1, question.key
        elif question.kind == Question.Kind.MULTIPLE:
            assert right >= 1, question.key
        else:
            assert sorted(c.text for c in question.choices.all()) == ["False", "True"] and right == 1, question.key


def test_every_question_explains_itself_and_cites_a_source(pack):
    for question in all_questions().prefetch_related("accepted_answers"):
        # A matching question's options are a list of names; its explanation covers every stem.
        if question.kind != Question.Kind.MATCHING:
            assert all(choice.rationale.strip() for choice in question.choices.all()), question.key
        # A typed answer that earns less than full marks says why.
        assert all(a.feedback.strip() for a in question.accepted_answers.all() if a.weight < 1), question.key
        assert question.explanation.strip() and question.learning_point.strip(), question.key
        sources = list(question.sources.all())
        assert sources, question.key
        assert all(source.title and source.publisher for source in sources), question.key


def test_every_image_is_a_labelled_schematic_with_alt_text_and_a_thumbnail(pack):
    with_images = [question for question in all_questions() if question.image]

    assert len(with_images) >= 8
    for question in with_images:
        assert question.image_alt.startswith("Schematic illustration, not a patient image:"), question.key
        assert question.thumbnail, question.key


def test_the_eurorad_case_is_cited_with_its_doi(pack):
    question = Quiz.objects.get(slug="mesothelioma-case").questions.first()

    assert "DOI 10.1594/EURORAD/CASE.10569" in question.sources.get().citation


def test_case_vignettes_have_a_stage_for_every_question(pack):
    for quiz in Quiz.objects.filter(kind=Quiz.Kind.CASE):
        assert all(question.stage.strip() for question in quiz.questions.all()), quiz.slug


@pytest.mark.parametrize(
    ("key", "answer"),
    [
        ("svuh-quiz-1-commonest-primary", "Papillary thyroid carcinoma"),
        ("svuh-quiz-2-most-sensitive-modality", "CT chest"),
        ("svuh-quiz-3-not-a-differential", "Emphysema"),
    ],
)
def test_the_svuh_quiz_questions_have_the_answers_its_text_supports(pack, key, answer):
    question = Question.objects.get(quiz__slug="miliary-metastases", key=key)

    assert [choice.text for choice in question.choices.all() if choice.is_correct] == [answer]
    assert question.choices.count() == 4


def test_the_typed_and_matching_questions_are_answerable_and_accept_both_spellings(pack):
    short_answers = list(all_questions().filter(kind=Question.Kind.SHORT_ANSWER).prefetch_related("accepted_answers"))
    matching = list(all_questions().filter(kind=Question.Kind.MATCHING).prefetch_related("match_stems__answer"))

    assert len(short_answers) >= 3 and len(matching) >= 2
    for question in short_answers:
        assert not question.choices.exists() and not question.case_sensitive and question.forgive_typos, question.key
        assert any(answer.weight == 1 for answer in question.accepted_answers.all()), question.key
    for question in matching:
        stems = list(question.match_stems.all())
        assert len(stems) >= 2 and question.choices.count() > len(stems), question.key
        assert all(stem.answer.question_id == question.pk for stem in stems), question.key
        assert all(not stem.image or stem.image_alt.startswith("Schematic illustration") for stem in stems)
    texts = {answer.text for question in short_answers for answer in question.accepted_answers.all()}
    assert {"haemorrhagic metastases", "hemorrhagic metastases"} <= texts
    assert {"haemorrhagic mets", "hemorrhagic mets", "miliary mets"} <= texts  # the abbreviation trainees type


@pytest.mark.parametrize("typed", ["miliary metastases", "Miliary tuberculosis", "miliary TB", "miliary mets"])
def test_naming_a_cause_for_the_miliary_pattern_earns_half_and_says_the_radiograph_cannot_tell(pack, typed):
    question = Question.objects.prefetch_related("accepted_answers").get(key="name-the-miliary-pattern")

    scored = answer_scored(question=question, answer=Answer(typed=typed))
    matched = accepted_answer_matched(question, typed)

    assert scored.points == POINTS_PER_QUESTION // 2 and not scored.is_correct
    assert "pattern is right" in matched.feedback and "cannot say" in matched.feedback


def test_hotspot_questions_have_an_image_targets_and_no_options_in_a_quiz_without_exam_mode(pack):
    hotspot_questions = list(all_questions().filter(kind=Question.Kind.HOTSPOT).prefetch_related("regions"))

    assert len(hotspot_questions) >= 4
    for question in hotspot_questions:
        assert question.image and question.regions.exists() and not question.choices.exists(), question.key
        assert all(region.feedback.strip() for region in question.regions.all()), question.key
        # Exam mode does not render hotspot questions (yet).
        assert not question.quiz.offers_exam, question.key


def test_every_hotspot_target_holds_the_centre_of_the_lesion_drawn_on_its_schematic(pack):
    from quizzes.bank.quizpack_reader import parse_pack_files
    from quizzes.content import CONTENT_DIR
    from quizzes.content.schematics import TARGETS
    from quizzes.hotspots import contains

    # Stored names say nothing about the picture (they are content hashes), so the pack says which it is.
    packs = parse_pack_files(sorted(CONTENT_DIR.glob("*.yaml")), images_dir=CONTENT_DIR / "images")
    schematic_of = {(pack.slug, item.key): item.image_file for pack in packs for item in pack.questions}
    for question in all_questions().filter(kind=Question.Kind.HOTSPOT).prefetch_related("regions"):
        schematic = schematic_of[question.quiz.slug, question.key]
        for drawn in TARGETS[schematic]:
            assert any(
                contains(region.shape, region.geometry, drawn["cx"], drawn["cy"]) for region in question.regions.all()
            ), question.key


def test_no_other_question_on_a_hotspot_image_says_where_its_target_lies():
    """A stem or alt text elsewhere that names the lesion's zone would answer find-the-lesion in advance."""
    from quizzes.bank.quizpack_reader import parse_pack_files
    from quizzes.content import CONTENT_DIR
    from quizzes.content.schematics import TARGETS

    packs = parse_pack_files(sorted(CONTENT_DIR.glob("*.yaml")), images_dir=CONTENT_DIR / "images")
    hotspot_images = {item.image_file for pack in packs for item in pack.questions if item.kind == "hotspot"}
    for pack in packs:
        for item in pack.questions:
            if item.kind == "hotspot" or item.image_file not in hotspot_images:
                continue
            shown = f"{item.stem} {item.image_alt}".lower()
            for target in TARGETS[item.image_file]:
                where = target["label"].split(", ")[-1]
                assert where not in shown, (pack.slug, item.key, where)


def test_every_text_fits_its_database_column():
    """SQLite does not enforce a CharField's max_length; PostgreSQL refuses the load."""
    from quizzes.bank.quizpack_reader import parse_pack_files
    from quizzes.content import CONTENT_DIR

    limits = {"image_alt": Question._meta.get_field("image_alt").max_length}
    packs = parse_pack_files(sorted(CONTENT_DIR.glob("*.yaml")), images_dir=CONTENT_DIR / "images")
    for pack in packs:
        assert len(pack.title) <= Quiz._meta.get_field("title").max_length, pack.slug
        for item in pack.questions:
            for name, limit in limits.items():
                assert len(getattr(item, name)) <= limit, (pack.slug, item.key, name)
