"""Bad input gets a clear error naming the problem, never a traceback."""

import pytest
from pydantic import ValidationError
from typer.testing import CliRunner

from cit_triage import MAX_NOTES_CHARS, Call, InputError
from cit_triage.cli import app

runner = CliRunner()


@pytest.mark.parametrize("kwargs,fragment", [
    ({"notes": ""}, "empty"),
    ({"notes": "   \n\t"}, "empty"),
    ({"notes": "x" * (MAX_NOTES_CHARS + 1)}, "too long"),
    ({"notes": "ab\udcff"}, "not valid text"),
    ({"notes": "a\x00b"}, "NUL"),
    ({"notes": b"caf\xe9"}, "invalid UTF-8"),
    ({"notes": 42}, "must be a string"),
    ({"notes": "ok", "weapons_reported": "maybe"}, "weapons_reported"),
    ({"notes": "ok", "priority": 99}, "priority"),
    ({"notes": "ok", "colour": "red"}, "colour"),
])
def test_bad_call_is_rejected_with_named_problem(kwargs, fragment):
    with pytest.raises(ValidationError) as err:
        Call(**kwargs)
    assert fragment in str(err.value)


def test_empty_notes_with_call_type_is_accepted():
    assert Call(notes="", call_type="EDP").call_type == "EDP"


def test_weapons_reported_accepts_common_spellings():
    assert Call(notes="x", weapons_reported="Y").weapons_reported == "yes"
    assert Call(notes="x", weapons_reported=False).weapons_reported == "no"


def test_suggest_accepts_plain_string_and_dict(triager):
    assert triager.suggest("shoplifter detained, cooperative").response.value == "patrol"
    assert triager.suggest({"notes": "shoplifter detained, cooperative"}).response.value == "patrol"


def test_suggest_rejects_wrong_type(triager):
    with pytest.raises(InputError):
        triager.suggest(12345)


def test_suggest_many_keeps_order(triager):
    notes = ["shoplifter detained, cooperative", "son hearing voices, threatened to stab his father, has kitchen knife"]
    out = triager.suggest_many(notes)
    assert [s.response.value for s in out] == ["patrol", "co_responder"]


@pytest.mark.parametrize("args,fragment", [
    (["suggest", ""], "empty"),
    (["suggest", "   "], "empty"),
    (["suggest", "x" * (MAX_NOTES_CHARS + 1)], "too long"),  # the one limit, as for the API
    (["suggest", "ok", "--weapons-reported", "maybe"], "weapons_reported"),
    (["suggest"], "no notes"),
    (["suggest", "ok", "--available", "patrol,swat"], "--available"),
])
def test_cli_bad_input_is_one_line_error(args, fragment):
    result = runner.invoke(app, args)
    assert result.exit_code != 0
    lines = [line for line in result.output.splitlines() if line.strip()]
    assert len(lines) == 1 and lines[0].startswith("error:") and fragment in lines[0]
    assert "Traceback" not in result.output


def test_cli_invalid_utf8_file_is_one_line_error(tmp_path):
    f = tmp_path / "notes.txt"
    f.write_bytes(b"caller \xff\xfe says")
    result = runner.invoke(app, ["suggest", "--file", str(f)])
    assert result.exit_code != 0
    assert "not valid UTF-8" in result.output


def test_cli_missing_model_folder_is_one_line_error(tmp_path):
    result = runner.invoke(app, ["suggest", "hearing voices", "--model", str(tmp_path / "nope")])
    assert result.exit_code != 0
    assert "no model found" in result.output


def test_suggestion_is_valid_under_its_own_schema(triager):
    # Suggestions are built without re-validation on the hot path; the result must still validate.
    from cit_triage import Suggestion

    for notes in ["son hearing voices, threatened to stab his father, has kitchen knife",
                  "denies SI, unk weapons, hx of violence", "shoplifter detained, cooperative"]:
        s = triager.suggest(notes)
        again = Suggestion.model_validate_json(s.model_dump_json())
        assert again == s


def test_a_control_character_from_a_cad_interface_is_read_through_not_cut():
    # Serial CAD interfaces leave STX/ETX bytes in notes; the note is analyzed whole.
    from cit_triage import Triager

    s = Triager.load().suggest(Call(notes="son hearing voices\x02 has a knife, threatened dad"))
    assert s.response.value == "co_responder"
    assert any(f.concept == "KNIFE" for f in s.risk_factors)


def test_tabs_and_line_breaks_are_ordinary_notes():
    assert Call(notes="line one\r\nline two\tend").notes == "line one\r\nline two\tend"
