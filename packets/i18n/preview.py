"""The translator's preview: the sample packet with every problem shown, never stopped by one.

In: a catalog's state (a variant's merged with its base). Out: :class:`Notes`, which
:class:`~packets.i18n.context.LocaleContext` asks to decorate each string it returns:

- ``[!3]`` before a string that fails ``i18n check``; the check's message, numbered, is on
  the packet's last page (:meth:`Notes.report`);
- ``[EN]`` before English shown for a string not translated yet;
- ``[?U+2D30]`` in place of a character no font can draw (only here: a patient's packet
  never carries these marks);
- ``[123]`` after each string with ``--line-numbers``: its msgid line in the ``.po`` file
  (``[es 123]`` when a variant's string comes from its base catalog);
- after a plural string, every form with a sample number: ``[forms: 1: 1 día | 2: 2 días]``.

A broken placeholder (``{fecha}``, a lone ``{``) is printed as typed instead of stopping
the packet: the check's finding says what is wrong with it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from .. import fontdata
from ..content import Message
from . import locales
from .checks import ERROR, Finding, check_catalog
from .plurals import samples

_BRACES = re.compile(r"\{\{|\}\}|\{[^{}]*\}|[{}]")
_TAGS = re.compile(r"</?b>")


def safe_template(text: str, allowed: frozenset[str]) -> str:
    """``text`` with every ``{...}`` that is not one of ``allowed``, and every lone brace,
    doubled, so filling the placeholders prints them as typed and never fails."""
    def keep_or_escape(m: re.Match) -> str:
        token = m.group(0)
        if token in ("{{", "}}"):
            return token
        if len(token) > 1:
            return token if token[1:-1] in allowed else "{" + token + "}"
        return token * 2
    return _BRACES.sub(keep_or_escape, text)


def mark_missing_glyphs(text: str, catalog_id: str) -> str:
    missing = fontdata.missing_glyphs(_TAGS.sub("", text), locales.script_id(catalog_id))
    return "".join(f"[?U+{ord(ch):04X}]" if ch in missing else ch for ch in text) if missing else text


@dataclass
class Notes:
    findings: list[Finding] = field(default_factory=list)       # errors, numbered from 1
    by_string: dict[tuple[str, str], list[int]] = field(default_factory=dict)
    tag_lines: bool = False

    @classmethod
    def for_catalog(cls, state, tag_lines: bool = False) -> "Notes":
        notes = cls(tag_lines=tag_lines)
        if state is None:
            return notes
        for part in state.parts or (state,):
            path = Path(part.path)
            try:
                found = check_catalog(part.catalog_id, path.parents[2])
            except Exception as exc:  # the preview shows what it can, whatever the check trips on
                found = [Finding(part.path, 0, "", f"the check stopped: {exc}")]
            by_line = {line: key for key, line in part.lines.items()}
            for finding in found:
                if finding.severity != ERROR:
                    continue
                notes.findings.append(finding)
                key = by_line.get(finding.line)
                if key is not None and state.origins.get(key, part.catalog_id) == part.catalog_id:
                    notes.by_string.setdefault(key, []).append(len(notes.findings))
        return notes

    def decorate(self, ctx, message: Message, text: str | None, n: int | None) -> str:
        """The string as the preview prints it (``text`` None: not translated)."""
        state = ctx.catalog
        if state is None:
            return safe_template(message.english(n), message.placeholders)
        key = (message.context, message.text)
        english = text is None
        body = safe_template(message.english(n) if english else text, message.placeholders)
        if not english:
            body = mark_missing_glyphs(body, state.catalog_id)
        # In right-to-left text, a right-to-left mark on each side keeps "[!3]" and "[123]" whole
        # and in place (else the bidi algorithm joins the number to a Latin word beside it).
        rlm = "\u200f" if ctx.direction == "rtl" else ""
        marks = "".join(f"{rlm}[!{i}]{rlm}" for i in self.by_string.get(key, ()))
        out = (marks + " " if marks else "") + ("[EN] " if english else "") + body
        entry = state.translations.get(key)
        if message.plural is not None and isinstance(entry, tuple):
            out += " " + self._forms(ctx, message, entry)
        if self.tag_lines:
            out += f" {rlm}{self._tag(state, key)}{rlm}"
        return out

    def _forms(self, ctx, message: Message, forms: tuple[str, ...]) -> str:
        shown = []
        for form, numbers in zip(forms, samples(*ctx.catalog.plural_forms)):
            if numbers:
                number = ctx.number(numbers[0])
                text = safe_template(form, message.placeholders).replace("{" + message.count + "}", number)
                shown.append(f"{number}: {mark_missing_glyphs(text, ctx.catalog.catalog_id)}")
        return "[forms: " + " | ".join(shown) + "]"

    @staticmethod
    def _tag(state, key) -> str:
        line = state.lines.get(key)
        if line is None:
            return "[no entry]"
        origin = state.origins.get(key, state.catalog_id)
        return f"[{line}]" if origin == state.catalog_id else f"[{origin} {line}]"

    def report(self) -> tuple[str, list[str]]:
        """The last page: a title and one line per error of ``i18n check``."""
        if not self.findings:
            return "Translator check: no errors", ["i18n check finds no error in this catalog."]
        lines = []
        for i, f in enumerate(self.findings, 1):
            where = Path(f.file).parent.parent.name + (f", line {f.line}" if f.line else "")
            msgid = f.msgid if len(f.msgid) <= 60 else f.msgid[:57] + "..."
            line = f"[!{i}] {where}: " + (f"\u201c{msgid}\u201d: " if msgid else "") + f.problem
            lines.append(mark_missing_glyphs(line, locales.SOURCE_LANGUAGE))
        return f"Translator check: {len(self.findings)} error(s)", lines
