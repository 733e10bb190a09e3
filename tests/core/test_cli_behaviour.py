"""The command line as a well-kept tool: --version, plain output, one-line errors, safe outputs."""

import subprocess
import sys
from importlib.metadata import version

import pytest
from typer.testing import CliRunner

import cit_triage
from cit_triage.cli import app
from cit_triage.schema import MAX_NOTES_CHARS

runner = CliRunner()
HEAVY = ("spacy", "sklearn", "scipy", "pandas", "pyarrow", "matplotlib", "dask", "fastapi", "pydantic")


def test_version_matches_the_installed_distribution():
    result = runner.invoke(app, ["--version"])
    assert result.exit_code == 0
    assert result.output.strip() == f"cit-triage {cit_triage.__version__}"
    assert cit_triage.__version__ == version("cit_triage")


def test_help_imports_none_of_the_heavy_libraries():
    # What `cit-triage --help` loads; benchmarks/cli_startup.py prints the time it takes.
    code = ("import sys; from cit_triage.cli import app; from typer.main import get_command; "
            "get_command(app); print(','.join(sorted({m.split('.')[0] for m in sys.modules})))")
    loaded = set(subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.strip().split(","))
    assert loaded.isdisjoint(HEAVY), sorted(loaded & set(HEAVY))


def test_import_cit_triage_does_not_import_scikit_learn_but_exports_the_estimator():
    code = ("import sys, cit_triage; assert 'sklearn' not in sys.modules and 'spacy' not in sys.modules; "
            "from cit_triage import TriageEstimator, Triager; print(TriageEstimator.__module__)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "cit_triage.model.estimator"


def test_review_output_has_no_markup_tags():
    result = runner.invoke(app, ["suggest", "brother hearing voices, unk weapons"])
    assert result.exit_code == 0
    assert "Review because: " in result.output
    assert "[/" not in result.output and "[bold" not in result.output and "[dim" not in result.output


@pytest.mark.parametrize("args", [
    ["suggest", "--file", "{missing}"],
    ["evaluate", "{missing}", "--out", "{tmp}/eval"],
    ["score", "{missing}", "--out", "{tmp}/x.parquet"],
    ["train", "{missing}", "--out", "{tmp}/model"],
    ["suggest", "x", "--model", "{missing}"],
])
def test_a_missing_path_is_one_error_line(tmp_path, args):
    missing = tmp_path / "no-such-file.csv"
    result = runner.invoke(app, [a.format(missing=missing, tmp=tmp_path) for a in args])
    assert result.exit_code == 2
    lines = result.output.strip().splitlines()
    assert lines == [f"error: {lines[0].removeprefix('error: ')}"] and str(missing) in lines[0], result.output
    assert "Usage" not in result.output


def test_score_refuses_a_missing_output_folder(tmp_path, labeled_calls_path):
    out = tmp_path / "missing" / "dir" / "x.parquet"
    result = runner.invoke(app, ["score", str(labeled_calls_path), "--out", str(out)])
    assert result.exit_code == 2
    assert f"output folder {out.parent} does not exist" in result.output
    assert not (tmp_path / "missing").exists()


def test_train_refuses_to_overwrite_a_model_folder_without_force(tmp_path, labeled_calls_path):
    out = tmp_path / "model"
    out.mkdir()
    (out / "keep.txt").write_text("earlier work", encoding="utf-8")
    result = runner.invoke(app, ["train", str(labeled_calls_path), "--out", str(out), "--folds", "0"])
    assert result.exit_code == 2 and "--force" in result.output
    assert (out / "keep.txt").read_text(encoding="utf-8") == "earlier work"
    result = runner.invoke(app, ["train", str(labeled_calls_path), "--out", str(out), "--folds", "0", "--force",
                                 "--model-version", "forced"])
    assert result.exit_code == 0, result.output
    assert cit_triage.Triager.load(out).model_version == "forced"


def test_suggest_file_takes_a_whole_cad_page_up_to_the_one_limit(tmp_path):
    page = tmp_path / "page.txt"
    line = "1402 UNIT 2A12 ENRT. RP STS BROTHER HEARING VOICES, NO WPNS SEEN.\n"
    page.write_text(line * (34_000 // len(line) + 1), encoding="utf-8")
    assert 34_000 < len(page.read_text(encoding="utf-8")) < MAX_NOTES_CHARS
    result = runner.invoke(app, ["suggest", "--file", str(page), "--json"])
    assert result.exit_code == 0, result.output
    page.write_text("a" * (MAX_NOTES_CHARS + 1), encoding="utf-8")
    result = runner.invoke(app, ["suggest", "--file", str(page)])
    assert result.exit_code == 2
    assert f"the limit is {MAX_NOTES_CHARS}" in result.output


def test_labels_page_ships_with_the_package_and_matches_the_docs():
    from importlib.resources import files
    from pathlib import Path

    shipped = files("cit_triage").joinpath("data", "labels.md").read_text(encoding="utf-8")
    docs = Path(__file__).resolve().parents[2] / "docs" / "labels.md"
    if docs.exists():  # in a source checkout: one text, two places
        assert docs.read_text(encoding="utf-8") == shipped
    result = runner.invoke(app, ["labels"])
    assert result.exit_code == 0
    assert "co_responder" in result.output and "Elevated-risk signs" in result.output
