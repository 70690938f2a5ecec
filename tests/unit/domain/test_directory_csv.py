import csv
import io

from hypothesis import given, settings
from hypothesis import strategies as st

from casedesk.domain.directory_csv import (
    FIELDS,
    MAX_LENGTHS,
    CsvReport,
    directory_to_csv,
    parse_directory_csv,
)

GOOD = (
    "Name,Organisation,Category,Phone,Email,Area served,Hours\r\n"
    "Food Bank North,Trust,Food,1800 1,intake@example.org,North,Mon-Fri\r\n"
    '"Legal Aid, Rural",,Legal,,,"All, regions",\r\n'
)


def test_good_file():
    report = parse_directory_csv(GOOD.encode())
    assert report.ok and len(report.rows) == 2
    assert (
        report.rows[1].name == "Legal Aid, Rural" and report.rows[1].area_served == "All, regions"
    )
    assert report.rows[0].line == 2
    assert "2 entries ready" in report.summary()


def test_bom_and_header_aliases_and_unknown_columns():
    data = "\ufeffService name;x\r\n".replace(";", ",") + "Meals,1\r\n"
    report = parse_directory_csv(data.encode("utf-8"))
    assert report.ok and report.rows[0].name == "Meals"
    assert report.warnings and "x" in report.warnings[0]


def test_file_level_problems_are_reported_not_raised():
    cases = {
        b"": "empty",
        b"   \n\n": "empty",
        "Name\nCaf\xe9\n".encode("latin-1"): "not UTF-8",
        b"\x00\x01\x02PK\x03\x04": "binary",
        b"Phone,Email\n123,a@b.co\n": "name",
        b'Name,Notes\n"Open quote,never closed\n': "quote",
        b"Name\n": "no entries",
        b"Name\n" + b"x\x07y\n": "control",
    }
    for data, words in cases.items():
        report = parse_directory_csv(data)
        assert report.file_error is not None and words in report.file_error, (data, report)
        assert not report.rows and not report.can_skip_bad_rows


def test_row_problems():
    long_name = "n" * (MAX_LENGTHS["name"] + 1)
    data = (
        f"name,email\nGood,\n,a@b.co\n{long_name},\nBad mail,not-an-email\nToo,many,cells\ngood,\n"
    )
    report = parse_directory_csv(data.encode())
    assert [r.name for r in report.rows] == ["Good"]
    lines = [(p.line, p.message) for p in report.problems]
    assert [line for line, _ in lines] == [3, 4, 5, 6, 7]
    assert "missing" in lines[0][1] and "too long" in lines[1][1]
    assert "email" in lines[2][1] and "headings" in lines[3][1] and "line 2" in lines[4][1]
    assert not report.ok and report.can_skip_bad_rows


def test_huge_field_is_a_file_error():
    data = b"name,notes\nx," + b"a" * 200_000 + b"\n"
    report = parse_directory_csv(data)
    assert report.file_error and "too long" in report.file_error


def test_export_round_trip_and_formula_escape():
    entries = [
        {"name": "=HYPERLINK(1)", "notes": "line one\nline two", "category": "Food"},
        {"name": "Plain", "phone": "+61 400"},
    ]
    text = directory_to_csv(entries)
    assert "'=HYPERLINK" in text and "'+61" in text
    report = parse_directory_csv(text.encode())
    assert report.ok
    assert report.rows[0].name == "=HYPERLINK(1)" and report.rows[0].notes == "line one\nline two"
    assert report.rows[1].phone == "+61 400"


@settings(deadline=None, max_examples=200)
@given(st.binary(max_size=2000))
def test_random_bytes_never_crash(data):
    assert isinstance(parse_directory_csv(data), CsvReport)


@settings(deadline=None, max_examples=200)
@given(
    st.lists(
        st.lists(st.text(max_size=30), min_size=0, max_size=len(FIELDS) + 2),
        max_size=15,
    ),
    st.sampled_from([",", ";", "\t"]),
)
def test_random_tables_never_crash(rows, delimiter):
    out = io.StringIO()
    writer = csv.writer(out, delimiter=delimiter)
    writer.writerow(["name", "notes", "email"])
    writer.writerows(rows)
    report = parse_directory_csv(out.getvalue().encode("utf-8", "surrogatepass"))
    assert isinstance(report, CsvReport)
    for row in report.rows:
        assert row.name and len(row.name) <= MAX_LENGTHS["name"]


@settings(deadline=None, max_examples=150)
@given(st.text(max_size=400), st.integers(min_value=0, max_value=len(GOOD) - 1))
def test_mutations_of_a_good_file_never_crash(junk, at):
    data = (GOOD[:at] + junk + GOOD[at:]).encode("utf-8", "surrogatepass")
    report = parse_directory_csv(data)
    assert report.ok or report.file_error or report.problems or report.warnings or report.rows


def test_bidi_controls_are_stripped_from_names_but_not_from_notes():
    # U+202E (right-to-left override) would show "Food Bank\u202ehtroN" as something else
    # than what sorts and matches; an LRI/PDI pair or LRM does the same more quietly.
    data = (
        "name,organisation,phone,notes\r\n"
        "\u202eFood Bank North\u202c,\u2066Trust\u2069,\u200e1800 1\u200f,"
        "\u05e9\u05dc\u05d5\u05dd \u200f(ok)\r\n"
    ).encode()
    report = parse_directory_csv(data)
    assert report.ok, report.summary()
    row = report.rows[0]
    assert (row.name, row.organisation, row.phone) == ("Food Bank North", "Trust", "1800 1")
    assert row.notes == "\u05e9\u05dc\u05d5\u05dd \u200f(ok)"  # free text keeps its marks


def test_a_name_of_nothing_but_bidi_controls_is_missing():
    report = parse_directory_csv("name,phone\r\n\u202e\u202c,1\r\n".encode())
    assert [p.message for p in report.problems] == ["The name is missing."]
