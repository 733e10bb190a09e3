import json

from typer.testing import CliRunner

from cit_triage.cli import app

runner = CliRunner()
DONE_WHEN = "caller's son hearing voices, has a knife, threatened dad"


def test_suggest_prints_co_responder_with_quoted_reasons():
    result = runner.invoke(app, ["suggest", DONE_WHEN])
    assert result.exit_code == 0, result.output
    assert "co_responder" in result.output
    assert '"knife"' in result.output and '"hearing voices"' in result.output


def test_suggest_json_is_a_full_suggestion():
    result = runner.invoke(app, ["suggest", DONE_WHEN, "--json", "--call-id", "24-000123"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert data["response"] == "co_responder"
    assert data["call_id"] == "24-000123"
    assert abs(sum(data["probabilities"].values()) - 1) < 1e-3
    assert {f["text"] for f in data["risk_factors"]} >= {"knife", "hearing voices"}
    assert data["model_version"] and data["policy_version"] and data["summary"]


def test_suggest_lists_questions_when_review_needed():
    result = runner.invoke(app, ["suggest", "brother hearing voices, unk weapons"])
    assert result.exit_code == 0
    assert "Ask the caller" in result.output


def test_summary_names_a_derived_risk_sign():
    result = runner.invoke(app, ["suggest", "TXT: my mom keeps saying she wants to go to sleep and not wake up, she has her pills in her purse"])
    assert result.exit_code == 0
    assert "co_responder" in result.output
    assert "risk: plan with means" in result.output


def test_summary_stays_one_line_when_a_quote_spans_a_wrapped_line(triager):
    s = triager.suggest("RP SAYS HUSBAND IS GOING TO\nSHOOT HIMSELF, HE IS IN THE BARN")
    assert "\n" not in s.summary and "GOING TO SHOOT HIMSELF" in s.summary
    # the reasons still quote the original characters
    assert any(sp.text == "IS GOING TO\nSHOOT HIMSELF" for r in s.reasons for sp in r.spans)
