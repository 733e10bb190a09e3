"""``cit-triage train`` and ``cit_triage.evaluate.train``: CV, determinism, safe artifact, model card."""

import json

import numpy as np
import pytest
from typer.testing import CliRunner

from cit_triage.cli import app
from cit_triage.errors import DataFileError
from cit_triage.evaluate import train
from cit_triage.model.files import load_model
from cit_triage.triage import Triager

runner = CliRunner()


def test_train_command_writes_a_loadable_model_and_card(tmp_path, labeled_path):
    out = tmp_path / "models" / "tiny"
    res = runner.invoke(app, ["train", str(labeled_path), "--out", str(out), "--seed", "3", "--folds", "3",
                              "--model-version", "t1"])
    assert res.exit_code == 0, res.output
    assert "fold 3:" in res.output and "95% CI" in res.output
    card = json.loads((out / "model_card.json").read_text(encoding="utf-8"))
    cv = card["cross_validation"]
    assert len(cv["per_fold"]) == 3 and sum(f["n"] for f in cv["per_fold"]) == 42
    mean = cv["mean"]["macro_f1"]
    assert mean["low"] <= mean["mean"] <= mean["high"]
    assert mean["mean"] == pytest.approx(np.mean([f["macro_f1"] for f in cv["per_fold"]]))
    assert len(card["training_data"]["sha256"]) == 64 and card["training_data"]["n_calls"] == 42
    assert {"scikit-learn", "spacy", "numpy", "python"} <= set(card["libraries"])
    md = (out / "model_card.md").read_text(encoding="utf-8")
    assert "## Intended use" in md and "## Limits" in md and "95% CI" in md
    assert Triager.load(out).model_version == "t1"
    assert not list(out.glob("*.pkl")) and not list(out.glob("*.joblib"))


def test_same_seed_same_model_and_scores(tmp_path, labeled_path):
    a = train(labeled_path, tmp_path / "a", seed=5, folds=3)
    b = train(labeled_path, tmp_path / "b", seed=5, folds=3)
    assert a["metrics"]["cross_validation"]["per_fold"] == b["metrics"]["cross_validation"]["per_fold"]
    (_, ca, _), (_, cb, _) = load_model(tmp_path / "a"), load_model(tmp_path / "b")
    np.testing.assert_array_equal(ca.coef_, cb.coef_)
    assert ca.temperature_ == cb.temperature_


def test_bad_rows_stop_training_unless_skipped(tmp_path, records):
    path = tmp_path / "train.jsonl"
    path.write_text("".join(json.dumps(r) + "\n" for r in records) + '{"notes": "x y z", "label": "ems"}\n', encoding="utf-8")
    res = runner.invoke(app, ["train", str(path), "--out", str(tmp_path / "m"), "--folds", "0"])
    assert res.exit_code == 2 and "row 43: unknown label 'ems'" in res.output and "--skip-bad-rows" in res.output
    res = runner.invoke(app, ["train", str(path), "--out", str(tmp_path / "m"), "--folds", "0", "--skip-bad-rows"])
    assert res.exit_code == 0, res.output
    assert "skipped 1 bad rows" in res.output
    card = json.loads((tmp_path / "m" / "model_card.json").read_text(encoding="utf-8"))
    assert [(b["row"], b["error"]) for b in card["training_data"]["bad_rows"]] == [(43, "unknown label 'ems'")]


def test_too_few_calls_per_response_for_the_folds_is_a_clear_error(tmp_path, records):
    path = tmp_path / "small.jsonl"
    keep = [r for r in records if r["label"] != "cit"] + [r for r in records if r["label"] == "cit"][:4]
    path.write_text("".join(json.dumps(r) + "\n" for r in keep), encoding="utf-8")
    with pytest.raises(DataFileError, match="too few calls per response"):
        train(path, tmp_path / "m", folds=5)
