"""Service directory CSV: read with a validation report, write safely.

Reading never raises on bad input: whatever the bytes (wrong encoding, binary junk, missing
headers, unbalanced quotes, huge fields, an empty file), :func:`parse_directory_csv` returns a
:class:`CsvReport` with the good rows and plain-language problems, file-level or per row. The
caller imports nothing when there are problems, unless the user chooses to skip the bad rows.

Format: UTF-8 (a BOM is fine), comma-separated, first row headers. Headers are matched
ignoring case, spaces, hyphens and underscores ("Area served" = ``area_served``); ``name`` is
required; unknown columns are reported and ignored. Written files quote cells that a
spreadsheet would run as a formula (``=``, ``+``, ``-``, ``@`` first) with a leading
apostrophe, which reading removes again.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from types import MappingProxyType

from casedesk.domain.clients import name_key
from casedesk.domain.validation import EMAIL_PATTERN, clean_text, strip_bidi_controls

FIELDS: tuple[str, ...] = (
    "name",
    "organisation",
    "category",
    "phone",
    "email",
    "website",
    "address",
    "hours",
    "eligibility",
    "area_served",
    "notes",
)

#: Longest text accepted per field (characters).
MAX_LENGTHS: Mapping[str, int] = MappingProxyType(
    {
        "name": 200,
        "organisation": 200,
        "category": 100,
        "phone": 100,
        "email": 200,
        "website": 500,
        "address": 500,
        "hours": 500,
        "eligibility": 2000,
        "area_served": 500,
        "notes": 5000,
    }
)

#: Fields that are free text: they keep line breaks and bidi marks; the others are one line
#: without bidi controls (names, phone numbers and addresses must show as they sort and match).
FREE_TEXT_FIELDS = frozenset({"notes", "eligibility"})

MAX_FILE_BYTES = 10 * 1024 * 1024
MAX_ROWS = 20_000
_FIELD_LIMIT = 100_000  # the csv module's own cap; longer fields stop the file as malformed
_ALIASES = MappingProxyType(
    {
        "organization": "organisation",
        "service": "name",
        "servicename": "name",
        "agency": "name",
        "area": "area_served",
        "areaserved": "area_served",
        "openinghours": "hours",
        "telephone": "phone",
        "mail": "email",
        "url": "website",
        "web": "website",
        "type": "category",
    }
)
_FORMULA_START = ("=", "+", "-", "@")


@dataclass(frozen=True, slots=True)
class DirectoryRow:
    """One clean directory entry from a file (``line`` is its line number in the file)."""

    line: int
    name: str
    organisation: str = ""
    category: str = ""
    phone: str = ""
    email: str = ""
    website: str = ""
    address: str = ""
    hours: str = ""
    eligibility: str = ""
    area_served: str = ""
    notes: str = ""

    def values(self) -> dict[str, str]:
        """The field values by name (no line number)."""
        return {name: getattr(self, name) for name in FIELDS}


@dataclass(frozen=True, slots=True)
class RowProblem:
    """Why one row can't be imported."""

    line: int
    message: str


@dataclass(frozen=True)
class CsvReport:
    """The result of reading a file.

    Attributes:
        rows: the rows that are fine.
        problems: rows that are not, each with its line number and reason.
        file_error: a problem with the whole file (then there are no rows).
        warnings: things worth knowing that stop nothing (e.g. ignored columns).
    """

    rows: tuple[DirectoryRow, ...] = ()
    problems: tuple[RowProblem, ...] = ()
    file_error: str | None = None
    warnings: tuple[str, ...] = field(default_factory=tuple)

    @property
    def ok(self) -> bool:
        """Nothing wrong at all: safe to import every row."""
        return self.file_error is None and not self.problems

    @property
    def can_skip_bad_rows(self) -> bool:
        """Some rows are fine and the file itself could be read."""
        return self.file_error is None and bool(self.rows)

    def summary(self) -> str:
        """One plain sentence for the top of the report."""
        if self.file_error is not None:
            return self.file_error
        good, bad = len(self.rows), len(self.problems)
        if not bad:
            return f"{good} {_plural(good, 'entry', 'entries')} ready to import."
        return (
            f"{good} {_plural(good, 'entry', 'entries')} ready, {bad} "
            f"{_plural(bad, 'row has', 'rows have')} problems."
        )


def _plural(count: int, one: str, many: str) -> str:
    return one if count == 1 else many


def _header_key(text: str) -> str:
    squashed = re.sub(r"[\s_\-]+", "", text.strip().lower())
    if squashed in _ALIASES:
        return _ALIASES[squashed]
    for name in FIELDS:
        if squashed == name.replace("_", ""):
            return name
    return ""


def _file_error(message: str) -> CsvReport:
    return CsvReport(file_error=message)


def _decode(data: bytes) -> str | CsvReport:
    if not data or not data.strip():
        return _file_error("The file is empty.")
    if len(data) > MAX_FILE_BYTES:
        return _file_error("The file is larger than 10 MB, which is more than a directory needs.")
    if b"\x00" in data[:65536]:
        return _file_error("This doesn't look like a CSV text file (it contains binary data).")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        return _file_error(
            f"The file is not UTF-8 text (first problem on line {line}). In your spreadsheet,"
            " save it as \u201cCSV UTF-8\u201d and try again."
        )
    junk = sum(1 for ch in text[:65536] if ord(ch) < 32 and ch not in "\r\n\t")
    if junk > 0:
        return _file_error("This doesn't look like a CSV text file (it has control characters).")
    return text


def parse_directory_csv(data: bytes) -> CsvReport:
    """Read a directory CSV into clean rows and a report. Never raises on bad content."""
    decoded = _decode(data)
    if isinstance(decoded, CsvReport):
        return decoded
    old_limit = csv.field_size_limit()
    csv.field_size_limit(_FIELD_LIMIT)
    try:
        return _parse_text(decoded)
    except csv.Error as exc:
        return _file_error(f"The file could not be read as CSV: {_csv_reason(exc)}")
    finally:
        csv.field_size_limit(old_limit)


def _csv_reason(exc: csv.Error) -> str:
    text = str(exc)
    if "field larger than field limit" in text:
        return "a cell is far too long (or a quote is never closed)."
    if "unexpected end of data" in text or "EOF" in text:
        return 'a quote (") is opened but never closed.'
    return "the quotes or separators are not in the usual CSV form."


def _parse_text(text: str) -> CsvReport:
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    header = next(reader, None)
    while header is not None and not any(cell.strip() for cell in header):
        header = next(reader, None)
    if header is None:
        return _file_error("The file is empty.")
    columns = [_header_key(cell) for cell in header]
    if "name" not in columns:
        return _file_error(
            "The first row must be column headings, including \u201cname\u201d. Expected"
            f" headings: {', '.join(FIELDS)}."
        )
    warnings = _header_warnings(header, columns)
    rows: list[DirectoryRow] = []
    problems: list[RowProblem] = []
    seen: dict[str, int] = {}
    for record in reader:
        line = reader.line_num
        if not any(cell.strip() for cell in record):
            continue
        if len(rows) + len(problems) >= MAX_ROWS:
            return _file_error(f"The file has more than {MAX_ROWS:,} rows.")
        result = _row(record, columns, line)
        if isinstance(result, RowProblem):
            problems.append(result)
            continue
        key = name_key(result.name) + "\x1f" + name_key(result.organisation)
        if key in seen:
            problems.append(RowProblem(line, f"Repeats the entry on line {seen[key]}."))
            continue
        seen[key] = line
        rows.append(result)
    if not rows and not problems:
        return CsvReport(file_error="The file has headings but no entries.", warnings=warnings)
    return CsvReport(tuple(rows), tuple(problems), None, warnings)


def _header_warnings(header: list[str], columns: list[str]) -> tuple[str, ...]:
    warnings = []
    unknown = [cell.strip() for cell, key in zip(header, columns, strict=True) if not key]
    if any(unknown):
        listed = ", ".join(f"\u201c{u[:40]}\u201d" for u in unknown if u)
        warnings.append(f"Columns not used: {listed}.")
    repeated = {key for key in columns if key and columns.count(key) > 1}
    if repeated:
        warnings.append(f"Repeated columns (the first is used): {', '.join(sorted(repeated))}.")
    return tuple(warnings)


def _row(record: list[str], columns: list[str], line: int) -> DirectoryRow | RowProblem:
    if len(record) > len(columns):
        extra = record[len(columns) :]
        if any(cell.strip() for cell in extra):
            return RowProblem(
                line, f"Has {len(record)} cells but there are only {len(columns)} headings."
            )
    values: dict[str, str] = {}
    for key, raw in zip(columns, record, strict=False):
        if not key or key in values:
            continue
        limit = MAX_LENGTHS[key]
        if len(raw) > limit * 4:
            return RowProblem(line, f"{_label(key)} is too long (over {limit:,} characters).")
        text = _unescape(clean_text(raw, max_length=limit))
        if len(text) > limit:
            return RowProblem(line, f"{_label(key)} is too long (over {limit:,} characters).")
        values[key] = text if key in FREE_TEXT_FIELDS else one_line_field(text)
    if not values.get("name"):
        return RowProblem(line, "The name is missing.")
    email = values.get("email", "")
    if email and not EMAIL_PATTERN.match(email):
        return RowProblem(line, f"\u201c{email[:60]}\u201d is not an email address.")
    return DirectoryRow(line=line, **values)


def one_line_field(text: str) -> str:
    """A single-line directory field: no line breaks, no bidi controls."""
    text = strip_bidi_controls(text).strip()
    return " ".join(text.split()) if "\n" in text else text


def _label(key: str) -> str:
    return key.replace("_", " ").capitalize()


def _unescape(text: str) -> str:
    if len(text) > 1 and text[0] == "'" and text[1] in _FORMULA_START:
        return text[1:]
    return text


def _escape(text: str) -> str:
    return "'" + text if text.startswith(_FORMULA_START) else text


def directory_to_csv(entries: Iterable[Mapping[str, str]]) -> str:
    """Write entries (mappings with the :data:`FIELDS` keys) as CSV text with a header row."""
    out = io.StringIO(newline="")
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(FIELDS)
    for entry in entries:
        writer.writerow([_escape(str(entry.get(name, "") or "")) for name in FIELDS])
    return out.getvalue()
