"""A model folder is plain data, checked before use; anything else is refused."""

import json
import pickle
import shutil

import numpy as np
import pytest

from cit_triage import ModelFileError, Triager
from cit_triage.triage import default_model_dir


@pytest.fixture()
def model_copy(tmp_path):
    dst = tmp_path / "model"
    shutil.copytree(default_model_dir(), dst)
    return dst


def test_copy_loads_and_suggests(model_copy):
    assert Triager.load(model_copy).suggest("shoplifter detained, cooperative").response.value == "patrol"


def test_tampered_weights_are_refused(model_copy):
    path = model_copy / "weights.npz"
    with np.load(path) as d:
        arrays = dict(d)
    arrays["coef"][2, 0] += 5.0
    np.savez(path, **arrays)
    with pytest.raises(ModelFileError, match="checksum"):
        Triager.load(model_copy)


def test_pickled_weights_are_never_loaded(model_copy):
    # A pickle payload in place of the weights: refused by checksum, and np.load never unpickles.
    (model_copy / "weights.npz").write_bytes(pickle.dumps({"coef": [1, 2, 3]}))
    with pytest.raises(ModelFileError):
        Triager.load(model_copy)


def test_incompatible_format_is_refused(model_copy):
    manifest = json.loads((model_copy / "manifest.json").read_text())
    manifest["format"] = "cit_triage.model/99"
    (model_copy / "manifest.json").write_text(json.dumps(manifest))
    from cit_triage.model.files import seal_model
    seal_model(model_copy)
    with pytest.raises(ModelFileError, match="not supported"):
        Triager.load(model_copy)


def test_broken_manifest_is_refused(model_copy):
    (model_copy / "manifest.json").write_text("{not json")
    with pytest.raises(ModelFileError, match="manifest"):
        Triager.load(model_copy)


def test_vocabulary_that_does_not_fit_weights_is_refused(model_copy):
    vocab = json.loads((model_copy / "vocabulary.json").read_text())
    (model_copy / "vocabulary.json").write_text(json.dumps(vocab[:-1]))
    from cit_triage.model.files import seal_model
    seal_model(model_copy)  # re-hashed, as someone editing the folder could
    with pytest.raises(ModelFileError, match="do not fit"):
        Triager.load(model_copy)


def test_missing_folder_is_refused(tmp_path):
    with pytest.raises(ModelFileError, match="no model found"):
        Triager.load(tmp_path / "absent")


def test_shipped_manifest_records_provenance():
    manifest = json.loads((default_model_dir() / "manifest.json").read_text())
    assert manifest["training_data"]["sha256"]
    assert {"spacy", "scikit-learn", "numpy"} <= set(manifest["libraries"])
    assert manifest["model_version"]


def test_fast_scoring_path_equals_matrix_path(triager):
    # suggest() sums a call's active features in Python; it must agree with the matrix form.
    import numpy as np
    import scipy.sparse as sp

    a = triager.analyze("son hearing voices, threatened to stab his father, has kitchen knife")
    idx, val = triager.featurizer.encode(a)
    X = sp.csr_matrix((val, ([0] * len(idx), idx)), shape=(1, len(triager.featurizer.vocabulary_)))
    np.testing.assert_allclose(triager.classifier.proba_one(idx, val), triager.classifier.predict_proba(X)[0], rtol=1e-9)
