"""Key paths -> line numbers in TOML text (split from test_project_file.py)."""

from __future__ import annotations

import tomllib

import pytest

from linetwin.io.project.toml_lines import KeyLines, syntax_error_line, syntax_error_message

TEXT = """\
# a comment with [brackets] and key = value
[project]
name = "x # not a comment"   # but this is

[[assets]]
id = "a"
position = [
  1.0,
  2.0, 3.0,
]
notes = \"\"\"
fake = "not a key"
[not_a_table]
\"\"\"
limits = { low = 1, high = 2 }

[[assets]]
id = "b"
"quoted.key" = 1
physical.color = "red"

[[visual_rules]]
id = "r0"

[[visual_rules]]
id = "r1"

[visual_rules.colors]
idle = "#000000"

[[line.stations]]
id = "s0"

[[line.stations]]
id = "s1"
"""


@pytest.fixture(scope="module")
def lines() -> KeyLines:
    tomllib.loads(TEXT)  # the scanner assumes valid TOML; make sure the sample is
    return KeyLines(TEXT)


def number_of(needle: str, occurrence: int = 0) -> int:
    return [n for n, line in enumerate(TEXT.splitlines(), 1) if needle in line][occurrence]


@pytest.mark.parametrize(
    "path, needle, occurrence",
    [
        (("project",), "[project]", 0),
        (("project", "name"), "name =", 0),
        (("assets", 0), "[[assets]]", 0),
        (("assets", 1), "[[assets]]", 1),
        (("assets", 0, "id"), 'id = "a"', 0),
        (("assets", 0, "position"), "position", 0),
        (("assets", 0, "position", 2), "position", 0),  # inside a multi-line array
        (("assets", 0, "limits", "low"), "limits", 0),  # inside an inline table
        (("assets", 0, "mesh"), "[[assets]]", 0),  # missing key -> its element
        (("assets", 1, "quoted.key"), '"quoted.key"', 0),
        (("assets", 1, "physical", "color"), "physical.color", 0),
        (("visual_rules", 1, "colors"), "[visual_rules.colors]", 0),
        (("visual_rules", 1, "colors", "idle"), "idle =", 0),
        (("visual_rules", 0, "id"), 'id = "r0"', 0),
        (("line", "stations", 1, "id"), 'id = "s1"', 0),
    ],
)
def test_line_of_key_path(lines, path, needle, occurrence):
    assert lines.line_of(path) == number_of(needle, occurrence)


def test_keys_inside_multiline_strings_and_comments_are_not_keys(lines):
    assert lines.line_of(("assets", 0, "fake")) == number_of("[[assets]]")
    assert lines.line_of(("not_a_table",)) is None
    assert lines.line_of(("assets", 0, "notes")) == number_of("notes =")


def test_unknown_paths_have_no_line(lines):
    assert lines.line_of(("signals", 0, "id")) is None
    assert lines.line_of(()) is None


def test_syntax_error_line_and_message():
    with pytest.raises(tomllib.TOMLDecodeError) as caught:
        tomllib.loads('a = 1\n\nb = "open\n')
    assert syntax_error_line(caught.value) == 3
    assert "at line" not in syntax_error_message(caught.value)


def test_a_multiline_literal_string_holding_other_quotes_does_not_hide_later_keys():
    # One lexer for key lines and project edits: it follows the string that is
    # open (''' here), not a count of every kind of triple quote on the line.
    text = "[a]\nx = '''one \"\"\" two\nthree'''\ny = 1\n"
    assert tomllib.loads(text)["a"]["y"] == 1
    assert KeyLines(text).line_of(("a", "y")) == 4
