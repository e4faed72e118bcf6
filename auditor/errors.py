"""Errors caused by the input, not by the tool: each renders as one line that names the file."""

from __future__ import annotations

# What an error says of a file that ends early, whatever its format: the usual broken export.
CUT_SHORT = "so it was cut short (an interrupted download or copy?): download or copy it again"


class InputError(Exception):
    """A file, record, profile or option the tool cannot use. Exit code 2 in `check`."""

    def __init__(self, origin: str, message: str, where: str | None = None, line: int | None = None,
                 column: int | None = None):
        self.origin = origin
        self.message = message
        self.where = where
        self.line = line
        self.column = column
        super().__init__(self.one_line())

    def one_line(self) -> str:
        place = self.origin
        if self.line is not None:
            place += f":{self.line}"
        if self.where:
            place += f" ({self.where})"
        return f"{place}: {self.message}"


class RecordError(InputError):
    """One record inside a readable file could not be mapped; the rest of the file goes on."""

    def __init__(self, origin: str, message: str, where: str | None = None, line: int | None = None,
                 index: int = 0, record_id: str | None = None):
        self.index = index
        self.record_id = record_id
        super().__init__(origin, message, where, line)
