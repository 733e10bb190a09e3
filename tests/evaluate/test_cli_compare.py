"""``cit-triage compare`` and ``cit_triage.evaluate.compare``: paired deltas, McNemar, disagreements."""

import json

import pytest
from typer.testing import CliRunner

from cit_triage.cli import app
from cit_triage.evaluate import compare
from cit_triage.model.training import train_folder
from cit_triage.triage import Triager

runner = CliRunner()


@pytest.fixture(scope="module")
def challenger(tmp_path_factory, labeled_path):
    # A deliberately different model: words only, heavily regularized.
    out = tmp_path_factory.mktemp("challenger")
    train_folder(labeled_path, out, model_version="challenger", featurizer_params={"min_df": 1, "text_weight": 3.0},
                 classifier_params={"C": 0.02})
    return out


def test_a_model_against_itself_has_no_difference(tiny_model, labeled_path):
    r = compare(tiny_model, tiny_model, labeled_path, n_resamples=50)
    assert r.disagreements == [] and r.summary["n_disagreements"] == 0
    for m in r.summary["metrics"].values():
        assert m["delta"] == 0 and m["ci_low"] == 0 and m["ci_high"] == 0
    assert r.summary["mcnemar"]["p_value"] == 1.0


def test_deltas_and_mcnemar_match_the_two_models_predictions(tiny_model, challenger, labeled_path, records):
    r = compare(tiny_model, challenger, labeled_path, n_resamples=100, seed=1)
    a = [s.response.value for s in Triager.load(tiny_model).suggest_many([{k: x[k] for k in ("notes", "call_type")} for x in records])]
    b = [s.response.value for s in Triager.load(challenger).suggest_many([{k: x[k] for k in ("notes", "call_type")} for x in records])]
    gold = [x["label"] for x in records]
    assert r.summary["n_disagreements"] == sum(x != y for x, y in zip(a, b))
    assert [d["row"] for d in r.disagreements] == [i + 1 for i, (x, y) in enumerate(zip(a, b)) if x != y]
    mc = r.summary["mcnemar"]
    assert mc["only_a_correct"] == sum(x == g != y for x, y, g in zip(a, b, gold))
    assert mc["only_b_correct"] == sum(y == g != x for x, y, g in zip(a, b, gold))
    acc = r.summary["metrics"]["accuracy"]
    assert acc["delta"] == pytest.approx(acc["b"] - acc["a"])
    assert acc["ci_low"] <= acc["delta"] <= acc["ci_high"]
    again = compare(tiny_model, challenger, labeled_path, n_resamples=100, seed=1)
    assert again.summary["metrics"] == r.summary["metrics"]  # seeded bootstrap


def test_compare_command_prints_a_table_and_writes_json(tmp_path, tiny_model, challenger, labeled_path):
    res = runner.invoke(app, ["compare", str(tiny_model), str(challenger), str(labeled_path), "--label-column", "label",
                              "--bootstrap", "50", "--out", str(tmp_path / "cmp")])
    assert res.exit_code == 0, res.output
    assert "macro f1" in res.output and "McNemar" in res.output
    data = json.loads((tmp_path / "cmp" / "compare.json").read_text(encoding="utf-8"))
    assert data["model_a"]["model_version"] == "tiny-test" and data["model_b"]["model_version"] == "challenger"
    assert len(data["disagreements"]) == data["n_disagreements"]
    assert all("notes" not in d for d in data["disagreements"])


def test_compare_command_rejects_a_missing_model(tmp_path, tiny_model, labeled_path):
    res = runner.invoke(app, ["compare", str(tiny_model), str(tmp_path / "nope"), str(labeled_path)])
    assert res.exit_code == 2 and "no model found" in res.output
