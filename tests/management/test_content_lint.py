"""`manage.py content_lint`: prints each quiz's figures, lists shared runs on request, fails on a breach."""

import pytest
from django.core.management import CommandError, call_command

PACK = """\
format: quizpack/1
quiz: {slug: made-up, title: Made up, topic: Tests, status: published}
sources:
  - {key: seed, title: A made-up source, publisher: Nobody}
questions:
  - key: commonest-site
    kind: single
    stem: A patient with a made-up cancer has one deposit. Where is it most likely?
    options:
      - {text: Liver, correct: true, rationale: Because.}
      - {text: Bone, correct: false, rationale: Because.}
      - {text: Adrenal, correct: false, rationale: Because.}
    explanation: The made-up source says the liver.
    learning_point: The liver.
    sources: [seed]
  - key: sites-one-right
    kind: multiple
    stem: Which sites does the made-up source name? Select all that apply.
    options:
      - {text: Liver, correct: true, rationale: Because.}
      - {text: Spleen, correct: false, rationale: Because.}
    explanation: Only the liver.
    learning_point: The liver.
    sources: [seed]
  - key: sites-all-right
    kind: multiple
    stem: Which routes does the made-up source name? Select all that apply.
    options:
      - {text: Blood, correct: true, rationale: Because.}
      - {text: Lymph, correct: true, rationale: Because.}
    explanation: Both.
    learning_point: Both.
    sources: [seed]
"""
SEED = "Nothing in this made-up document appears anywhere in the project's own prose, at all, ever."


@pytest.fixture
def pack_dir(tmp_path):
    (tmp_path / "pack").mkdir()
    (tmp_path / "pack" / "made-up.yaml").write_text(PACK)
    return tmp_path / "pack"


@pytest.fixture
def seeds(tmp_path):
    (tmp_path / "seeds").mkdir()
    (tmp_path / "seeds" / "000.txt").write_text(SEED)
    return tmp_path / "seeds"


def test_a_pack_within_the_thresholds_prints_its_figures(pack_dir, seeds, capsys):
    call_command("content_lint", dir=pack_dir, seeds=seeds)

    out = capsys.readouterr().out
    assert "made-up:\n  single best answer: longest 0/1 (0%), shortest 0/1 (0%), ratio 0.91" in out
    assert "multiple select, right/options: 1/2, 2/2" in out
    assert out.rstrip().endswith("breaches: 0")


def test_show_runs_lists_the_runs_a_file_shares_with_the_seeds_and_the_breach_fails_the_command(
    pack_dir, seeds, capsys
):
    copied = "A patient with a made-up cancer has one deposit. Where is it most likely in the body?"
    (seeds / "001.txt").write_text(copied * 2)

    with pytest.raises(CommandError, match=r"runs shared with the source documents \(at most 5\)"):
        call_command("content_lint", dir=pack_dir, seeds=seeds, show_runs=True)

    assert "made-up.yaml: a patient with a made up cancer has one deposit\n" in capsys.readouterr().out


def test_without_the_source_documents_the_command_fails_and_says_where_it_looked(pack_dir, tmp_path):
    with pytest.raises(CommandError, match=r"no source documents .* QUIZ_SEEDS_DIR"):
        call_command("content_lint", dir=pack_dir, seeds=tmp_path / "missing")
