"""CSV downloads: cells a spreadsheet cannot run, streamed as they are written."""

import pytest

from quizzes.downloads import csv_cell, csv_download


@pytest.mark.parametrize("typed", ["=1+1", "+1", "-1", "@SUM(A1)", "\tx", "\rx"])
def test_a_cell_a_spreadsheet_would_run_as_a_formula_is_made_plain_text(typed):
    assert csv_cell(typed) == "'" + typed


def test_other_cells_are_written_as_they_are():
    assert [csv_cell(value) for value in ("Ada", 42, "a=b")] == ["Ada", "42", "a=b"]


def test_a_csv_download_streams_each_row_as_a_line_of_an_attachment():
    response = csv_download(iter([["name", "points"], ["Ada", 30]]), "board.csv")

    assert response.streaming and response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"] == 'attachment; filename="board.csv"'
    assert b"".join(response.streaming_content) == b"name,points\r\nAda,30\r\n"
