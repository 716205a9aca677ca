"""The page that explains the scoring: its numbers come from the rules themselves."""

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db


def test_the_scoring_page_states_the_rules_for_anyone(client):
    html = client.get(reverse("scoring")).content.decode()

    assert "Every question is worth <strong>10 points</strong>" in html
    assert "first attempt at each quiz" in html and "practice" in html
    assert "Europe/Dublin" in html and "1, 2, 2, 4" in html
    assert "shown anonymously, not left out" in html
    # The worked examples come from the scoring function itself.
    assert (
        '<td data-label="Right options">A and B</td><td data-label="You ticked">A</td><td class="number" data-label="Points">5</td>'
        in html
    )
    assert (
        '<td data-label="Right options">A, B and C</td><td data-label="You ticked">A and B</td><td class="number" data-label="Points">6</td>'
        in html
    )
    assert (
        '<td data-label="Right options">A and B</td><td data-label="You ticked">A, B, C and D</td><td class="number" data-label="Points">0</td>'
        in html
    )


def test_the_scoring_page_states_how_answers_rate_review_cards_and_the_first_intervals(client):
    html = client.get(reverse("scoring")).content.decode()

    section = html.split('id="spaced-repetition"')[1].split("</section>")[0]
    # The intervals come from the scheduler itself (quizzes/scoring.py, first_intervals).
    wrong = '<tr><td data-label="Your answer">Wrong (partial credit counts as wrong)</td><td data-label="Rating">Again</td><td data-label="First answer: due again">after 10 minutes, the same day</td></tr>'
    guess = '<tr><td data-label="Your answer">Right, with low confidence (“a guess”)</td><td data-label="Rating">Hard</td><td data-label="First answer: due again">after 15 minutes, the same day</td></tr>'
    assert wrong in section and guess in section
    assert "A wrong answer comes back within the same session</strong>: 10 minutes later" in section
    assert "is listed as <strong>due soon</strong>, after the set" in section
    assert (
        '<tr><td data-label="Your answer">Right, with medium confidence or none given</td><td data-label="Rating">Good</td><td data-label="First answer: due again">after 2 days</td></tr>'
        in section
    )
    assert (
        '<tr><td data-label="Your answer">Right, with high confidence (“sure”)</td><td data-label="Rating">Easy</td><td data-label="First answer: due again">after 8 days</td></tr>'
        in section
    )
    assert "an exam's answers review their cards when the exam finishes" in section


def test_the_scoring_page_states_the_weight_rule_with_examples_scored_by_the_rule(client):
    html = client.get(reverse("scoring")).content.decode()

    assert "a multiple-select answer earns the sum of the weights of the options you ticked" in html
    assert "never below 0 nor above 10" in html
    assert (
        '<td data-label="Options and their weights">Single answer: A 100%, B 50%, C 0%</td><td data-label="You ticked">B</td><td class="number" data-label="Points">5</td>'
        in html
    )
    assert (
        '<td data-label="Options and their weights">Multiple select: A 50%, B 50%, C −50%</td><td data-label="You ticked">A and C</td><td class="number" data-label="Points">0</td>'
        in html
    )
    assert (
        '<td data-label="Options and their weights">Multiple select: A, B and C 33.33333% each</td><td data-label="You ticked">A, B and C</td><td class="number" data-label="Points">10</td>'
        in html
    )


def test_the_scoring_page_states_the_short_answer_and_matching_rules_with_examples_scored_by_them(client):
    html = client.get(reverse("scoring")).content.decode()

    assert "<strong>Short answer</strong>" in html and "<strong>Extended matching</strong>" in html
    assert "An exact match counts before one with a slip" in html
    assert "Accepted answers: “miliary metastases” 100%;" in html and "“metasta*” 50%" in html
    # What each typed answer matches, and its points, come from the matching and scoring rules.
    assert (
        '<td data-label="You typed">miliary metastasis</td><td data-label="Matches">“miliary metastases”</td>'
        '<td class="number" data-label="Points">10</td>' in html
    )
    assert (
        '<td data-label="You typed">metastatic disease</td><td data-label="Matches">“metasta*”</td>'
        '<td class="number" data-label="Points">5</td>' in html
    )
    assert (
        '<td data-label="Items">4</td><td data-label="Matched rightly">3</td><td class="number" data-label="Points">7</td>'
        in html
    )
