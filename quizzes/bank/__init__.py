"""Question-bank formats: reading and writing banks as files, with every problem located."""

from dataclasses import dataclass


@dataclass(frozen=True)
class Problem:
    """One thing wrong with a bank file, with where it is."""

    file: str
    message: str
    question: str = ""
    line: int | None = None

    def __str__(self) -> str:
        place = self.file
        if self.line is not None:
            place += f", line {self.line}"
        if self.question:
            place += f", question {self.question!r}"
        return f"{place}: {self.message}"


class BankInvalid(Exception):
    def __init__(self, problems: list[Problem]):
        self.problems = problems
        super().__init__("\n".join(str(problem) for problem in problems))


# The largest bank file the site reads in one upload (the admin's import form states it). A bank
# this size parses in seconds, because every reader's work grows linearly with its input.
MAX_UPLOAD_BYTES = 10 * 1024 * 1024
# The text encodings a bank file may be in, tried in this order: UTF-8 (with or without the byte
# order mark Windows editors add), then Windows-1252 (old Moodle and Notepad exports) when every
# byte of the file decodes in it.
UTF8, UTF8_BOM, WINDOWS_1252 = "UTF-8", "UTF-8 with BOM", "Windows-1252"


def bank_text(data: bytes | str, file: str, *, legacy: bool = True) -> tuple[str, str]:
    """(the file's text with line ends made "\\n", the encoding it was read in), or BankInvalid.

    `legacy`: whether Windows-1252 is tried after UTF-8 (not for quizpack, whose format is UTF-8).
    """
    if isinstance(data, str):
        return normalise_line_ends(data.removeprefix("\ufeff")), UTF8
    if data.startswith(b"\xef\xbb\xbf"):
        encodings = [("utf-8-sig", UTF8_BOM)]
    else:
        encodings = [("utf-8", UTF8)] + ([("cp1252", WINDOWS_1252)] if legacy else [])
    for codec, name in encodings:
        try:
            text = data.decode(codec)
        except UnicodeDecodeError:
            continue
        # Control characters other than tab and line ends mean binary data, not text in this encoding.
        if any(ord(char) < 32 and char not in "\t\n\r" for char in text):
            break
        return normalise_line_ends(text), name
    names = " or ".join(name for _codec, name in encodings)
    raise BankInvalid([Problem(file, f"the file is not text in {names}; save it as UTF-8 and upload it again")])


def normalise_line_ends(text: str) -> str:
    return text.replace("\r\n", "\n").replace("\r", "\n")
