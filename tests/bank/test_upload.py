"""An uploaded zip of quiz packs is unpacked safely, and one that cannot be read is a problem with its
name, never a server error."""

import io
import zipfile

import pytest

from quizzes.bank import BankInvalid
from quizzes.bank.upload import read_bank_upload
from tests.bank import FIXTURES

PACK = b"""format: quizpack/1
quiz: {slug: zipped, title: Zipped, topic: Chest, kind: standard, status: draft, order: 1}
sources: []
questions: []
"""


def zipped(members: dict[str, bytes], compression=zipfile.ZIP_DEFLATED) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=compression) as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return buffer.getvalue()


def problems_reading(data: bytes) -> list[str]:
    with pytest.raises(BankInvalid) as refused, read_bank_upload(name="bank.zip", data=data, bank_format="quizpack"):
        pass
    return [str(problem) for problem in refused.value.problems]


def test_a_path_that_climbs_out_of_the_folder_is_refused():
    assert "unsafe path in archive: ../evil.yaml" in problems_reading(zipped({"../evil.yaml": PACK}))[0]


def test_an_archive_with_no_quiz_files_is_refused():
    assert "holds no .yaml quiz files" in problems_reading(zipped({"notes.txt": b"hello"}))[0]


def test_an_archive_that_would_unpack_past_the_limit_is_refused(monkeypatch):
    monkeypatch.setattr("quizzes.bank.upload.MAX_UNZIPPED_BYTES", 100)

    assert "unpacks to more than" in problems_reading(zipped({"quiz.yaml": PACK * 10}))[0]


def test_a_cut_off_archive_is_a_problem_not_an_error():
    whole = zipped({"quiz.yaml": PACK})

    assert problems_reading(whole[: len(whole) - 30])[0].startswith("bank.zip: ")


def test_an_archive_whose_member_is_damaged_is_a_problem_not_an_error():
    whole = bytearray(zipped({"quiz.yaml": PACK * 20}))
    # Flip bytes in the middle of the compressed member: the directory still reads, the member does not.
    middle = len(whole) // 3
    whole[middle : middle + 8] = bytes(8)

    assert "the archive cannot be read" in problems_reading(bytes(whole))[0]


def test_an_archive_with_a_compression_method_the_site_cannot_read_is_a_problem(monkeypatch):
    data = zipped({"quiz.yaml": PACK}, compression=zipfile.ZIP_STORED)
    # Mark the member as compressed with method 99 (AES, which zipfile cannot read), in both headers.
    patched = data.replace(b"PK\x03\x04\x14\x00\x00\x00\x00\x00", b"PK\x03\x04\x14\x00\x00\x00\x63\x00", 1)
    patched = patched.replace(
        b"PK\x01\x02\x14\x03\x14\x00\x00\x00\x00\x00", b"PK\x01\x02\x14\x03\x14\x00\x00\x00\x63\x00", 1
    )

    assert "the archive cannot be read" in problems_reading(patched)[0]


def test_a_readable_archive_gives_its_quiz():
    good = zipped({"good.yaml": (FIXTURES / "good.yaml").read_bytes()})

    with read_bank_upload(name="bank.zip", data=good, bank_format="quizpack") as upload:
        assert len(upload.packs) == 1 and upload.packs[0].questions
