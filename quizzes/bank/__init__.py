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
