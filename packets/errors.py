"""Project exceptions. Each names the file, line, row or field at fault, never a patient's name."""

from __future__ import annotations


class PacketError(Exception):
    """A problem the user can fix. ``str()`` gives one plain line."""

    def __init__(self, message: str, *, file: str | None = None, line: int | None = None,
                 field: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.file = file
        self.line = line
        self.field = field

    def __str__(self) -> str:
        where = ""
        if self.file:
            where = str(self.file) + (f":{self.line}" if self.line else "") + ": "
        field = f"{self.field}: " if self.field else ""
        return f"{where}{field}{self.message}"

    def problems(self) -> list[PacketError]:
        """Every problem this error stands for (one, except for :class:`InputErrors`)."""
        return [self]


class InputError(PacketError):
    """Bad patient data: a missing field, an invalid date, an impossible schedule."""


class InputErrors(InputError):
    """Every problem of one patient record, found in one pass, so staff fix a row once.

    ``str()`` is the first problem; :meth:`problems` gives all of them (the command line prints
    one line each, the roster report one row each).
    """

    def __init__(self, errors: list[InputError]) -> None:
        first = errors[0]
        super().__init__(first.message, file=first.file, line=first.line, field=first.field)
        self.errors = list(errors)

    def problems(self) -> list[PacketError]:
        return list(self.errors)


class ConfigError(PacketError):
    """Bad project configuration: content, program profile, catalogs, fonts, or a usage error."""


class LanguageError(ConfigError):
    """A language that no catalog serves."""
