"""Student text made safe to show: no escape sequences, no control characters, one line, short.

Everything a submission can put into a message (an exception's text, its output, a file's name)
passes through here before it reaches a terminal, a JSON file or a spreadsheet:

- `clean_line(text, limit)`: ANSI/OSC/DCS escape sequences removed (a window title, a clipboard
  write, colours), every other control or format character (C0, C1, DEL, bidi overrides, line
  separators) shown as a space, newlines as ' ⏎ ', at most `limit` characters (with '…');
- `clean_block(text, limit)`: the same, but keeping newlines (tracebacks, captured output);
- `quote(text)`: a short quotation of student input for an error message (~200 characters);
- `csv_cell(value)`: a spreadsheet cell that cannot start a formula (=, +, -, @, tab, CR).
"""

from __future__ import annotations

import re
import unicodedata

QUOTE_CHARS = 200
# CSI (ESC [ ... final), OSC / DCS / SOS / PM / APC strings (ended by BEL or ST), other ESC x;
# and their 8-bit C1 forms (0x9b CSI, 0x9d OSC, 0x90 DCS ...).
_ESCAPES = re.compile(
    r"(?:\x1b\[|\x9b)[0-?]*[ -/]*[@-~]?"
    r"|(?:\x1b[\]PX^_]|[\x90\x98\x9d\x9e\x9f])[^\x07\x1b\x9c]*(?:\x07|\x1b\\|\x9c)?"
    r"|\x1b[ -/]*[0-~]?"
)
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r", "\n", "|")


def _visible(char: str) -> str:
    if char == "\n":
        return "\n"
    category = unicodedata.category(char)
    if category in ("Cc", "Cf", "Zl", "Zp", "Cs", "Co", "Cn") or char == "\t":
        return " "
    return char


def _strip(text: object) -> str:
    text = text if isinstance(text, str) else str(text)
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    return "".join(_visible(c) for c in _ESCAPES.sub("", text))


def _cut(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: max(0, limit - 1)].rstrip() + "…"


def clean_line(text: object, limit: int = 500) -> str:
    """One printable line of at most `limit` characters."""
    lines = [" ".join(line.split()) for line in _strip(text).split("\n")]
    return _cut(" ⏎ ".join(line for line in lines if line), limit)


def clean_block(text: object, limit: int = 8000) -> str:
    """Printable text keeping its line breaks, at most `limit` characters."""
    return _cut("\n".join(line.rstrip() for line in _strip(text).split("\n")), limit)


def quote(text: object, limit: int = QUOTE_CHARS) -> str:
    """Student input quoted in an error: one clean line of at most ~200 characters."""
    return clean_line(text, limit)


def csv_cell(value: object) -> object:
    """A cell a spreadsheet shows as text: numbers stay, text loses control characters and
    gets a leading apostrophe when it would start a formula."""
    if value is None or isinstance(value, (bool, int, float)):
        return value
    text = clean_line(value, 2000)
    return "'" + text if text.startswith(_FORMULA_START) else text
