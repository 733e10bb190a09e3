"""Issue 14 item 5: the manifest and every model file are under one hashed list
(checksums.sha256); any tampered folder is refused with ModelFileError, never a raw Python
error; a policy allow-list of model digests refuses even re-hashed tampering."""

from __future__ import annotations

import io
import json
import re
import shutil
import zipfile

import numpy as np
import pytest

from cit_triage import ModelFileError, Triager
from cit_triage.model.files import CHECKSUMS, load_model, model_digest, seal_model
from cit_triage.policy import Policy
from cit_triage.triage import default_model_dir


def _manifest(folder, change):
    m = json.loads((folder / "manifest.json").read_text())
    change(m)
    (folder / "manifest.json").write_text(json.dumps(m))


def _weights(folder, change):
    with np.load(folder / "weights.npz") as d:
        arrays = dict(d)
    change(arrays)
    np.savez(folder / "weights.npz", **arrays)


def _vocab(folder, value):
    (folder / "vocabulary.json").write_text(json.dumps(value))


def _set(key, value, section=None):
    def change(m):
        (m[section] if section else m)[key] = value
    return lambda f: _manifest(f, change)


def _pickle_npz(folder):
    buf = io.BytesIO()
    np.save(buf, np.array([{"x": 1}], dtype=object), allow_pickle=True)
    with zipfile.ZipFile(folder / "weights.npz", "w") as z:
        z.writestr("coef.npy", buf.getvalue())
        z.writestr("intercept.npy", buf.getvalue())
        z.writestr("temperature.npy", buf.getvalue())


def _nested(folder):
    (folder / "manifest.json").write_text("[" * 100_000 + "]" * 100_000)


def _vocab_len(folder):
    vocab = json.loads((folder / "vocabulary.json").read_text())
    _vocab(folder, vocab[:-1])


def _vocab_dup(folder):
    vocab = json.loads((folder / "vocabulary.json").read_text())
    _vocab(folder, vocab[:-1] + vocab[:1])


#: Changes someone could make to a model folder. Each is tried as is (the checksums catch it)
#: and re-hashed (the loader's checks and the allow-list must catch it).
TAMPERINGS = {
    "text_weight changed": _set("text_weight", 0.5, "featurizer_params"),
    "text_weight a string": _set("text_weight", "abc", "featurizer_params"),
    "text_weight NaN": lambda f: (f / "manifest.json").write_text(
        re.sub(r'"text_weight": [0-9.]+', '"text_weight": NaN', (f / "manifest.json").read_text())),
    "text_weight huge": _set("text_weight", 1e308, "featurizer_params"),
    "ngram_max a string": _set("ngram_max", "2", "featurizer_params"),
    "ngram_max zero": _set("ngram_max", 0, "featurizer_params"),
    "ngram_max 10**9": _set("ngram_max", 10 ** 9, "featurizer_params"),
    "ngram_max true": _set("ngram_max", True, "featurizer_params"),
    "featurizer_params a list": _set("featurizer_params", []),
    "featurizer_params null": _set("featurizer_params", None),
    "classifier_params a string": _set("classifier_params", "x"),
    "classes reordered": _set("classes", ["cit", "patrol", "co_responder"]),
    "classes a string": _set("classes", "patrol"),
    "format missing": lambda f: _manifest(f, lambda m: m.pop("format")),
    "format a number": _set("format", 2),
    "model_version a number": _set("model_version", 7),
    "n_features wrong": _set("n_features", 3),
    "metrics rewritten": _set("metrics", {"test": {"macro_f1": 0.999}}),
    "manifest an array": lambda f: (f / "manifest.json").write_text("[]"),
    "manifest not UTF-8": lambda f: (f / "manifest.json").write_bytes(b"\xff\xfe{}"),
    "manifest deeply nested": _nested,
    "manifest empty": lambda f: (f / "manifest.json").write_bytes(b""),
    "vocabulary a dict": lambda f: _vocab(f, {"a": 1}),
    "vocabulary of numbers": lambda f: _vocab(f, list(range(10))),
    "vocabulary one short": _vocab_len,
    "vocabulary with a duplicate": _vocab_dup,
    "vocabulary not JSON": lambda f: (f / "vocabulary.json").write_text("[1,"),
    "coef transposed": lambda f: _weights(f, lambda a: a.update(coef=a["coef"].T.copy())),
    "coef of integers": lambda f: _weights(f, lambda a: a.update(coef=a["coef"].astype(np.int64))),
    "coef complex": lambda f: _weights(f, lambda a: a.update(coef=a["coef"].astype(np.complex128))),
    "coef with NaN": lambda f: _weights(f, lambda a: a["coef"].__setitem__((0, 0), np.nan)),
    "intercept with inf": lambda f: _weights(f, lambda a: a["intercept"].__setitem__(1, np.inf)),
    "intercept a scalar": lambda f: _weights(f, lambda a: a.update(intercept=np.array(0.5))),
    "temperature zero": lambda f: _weights(f, lambda a: a.update(temperature=np.array([0.0]))),
    "temperature a scalar": lambda f: _weights(f, lambda a: a.update(temperature=np.array(0.7))),
    "temperature empty": lambda f: _weights(f, lambda a: a.update(temperature=np.array([]))),
    "temperature missing": lambda f: _weights(f, lambda a: a.pop("temperature")),
    "an extra array": lambda f: _weights(f, lambda a: a.update(extra=np.zeros(2))),
    "weights pickled objects": _pickle_npz,
    "weights not a zip": lambda f: (f / "weights.npz").write_bytes(b"PK\x03\x04 not really"),
    "weights empty": lambda f: (f / "weights.npz").write_bytes(b""),
    "weights removed": lambda f: (f / "weights.npz").unlink(),
    "manifest removed": lambda f: (f / "manifest.json").unlink(),
}

#: Folder-level changes to the checksum list itself.
LIST_TAMPERINGS = {
    "checksums removed": lambda f: (f / CHECKSUMS).unlink(),
    "checksums empty": lambda f: (f / CHECKSUMS).write_text(""),
    "checksums not ASCII": lambda f: (f / CHECKSUMS).write_bytes(b"\xff" * 80),
    "checksums list a path": lambda f: (f / CHECKSUMS).write_text(
        (f / CHECKSUMS).read_text().replace("weights.npz", "../weights.npz")),
    "checksums missing a file": lambda f: (f / CHECKSUMS).write_text(
        "".join(l + "\n" for l in (f / CHECKSUMS).read_text().splitlines() if "manifest" not in l)),
    "checksums duplicated line": lambda f: (f / CHECKSUMS).write_text((f / CHECKSUMS).read_text() * 2),
    "checksums upper-case hex": lambda f: (f / CHECKSUMS).write_text((f / CHECKSUMS).read_text().upper()),
}


@pytest.fixture(scope="module")
def shipped(tmp_path_factory):
    return default_model_dir()


def _copy(src, dst):
    shutil.copytree(src, dst)
    return dst


def _outcome(folder, allowed=None) -> str:
    try:
        load_model(folder, allowed_sha256=allowed)
    except ModelFileError:
        return "refused"
    return "loaded"  # any other exception fails the test


def test_shipped_model_verifies_and_loads(shipped):
    featurizer, classifier, manifest = load_model(shipped)
    assert manifest["model_sha256"] == model_digest(shipped)
    assert Triager.load().suggest("shoplifter detained, cooperative").response.value == "patrol"


def test_every_tampered_folder_is_refused(shipped, tmp_path):
    original = model_digest(shipped)
    tried = refused = refused_rehashed_no_list = refused_with_list = 0
    accepted_rehashed = []
    for i, (name, tamper) in enumerate({**TAMPERINGS, **LIST_TAMPERINGS}.items()):
        folder = _copy(shipped, tmp_path / f"t{i}")
        tamper(folder)
        tried += 1
        assert _outcome(folder) == "refused", f"{name}: accepted without re-hashing"
        refused += 1
        if name in TAMPERINGS and (folder / "manifest.json").exists() and (folder / "weights.npz").exists():
            seal_model(folder)  # the tampering's author recomputes the hashes
            outcome = _outcome(folder)
            refused_rehashed_no_list += outcome == "refused"
            if outcome == "loaded":
                accepted_rehashed.append(name)
            assert _outcome(folder, allowed=[original]) == "refused", f"{name}: re-hashed and accepted by the allow-list"
            refused_with_list += 1
    print(f"\ntampered model folders refused: {refused} of {tried} as made; re-hashed: "
          f"{refused_rehashed_no_list} refused by the loader's checks, all {refused_with_list} by the allow-list; "
          f"accepted without an allow-list (well-formed edits): {accepted_rehashed}")
    # Only edits that leave a well-formed model may load without an allow-list.
    assert set(accepted_rehashed) <= {"text_weight changed", "metrics rewritten"}


def test_policy_allow_list_pins_the_model(shipped, tmp_path):
    digest = model_digest(shipped)
    ok = Policy.model_validate({**Policy.from_file().model_dump(), "model": {"allowed_sha256": [digest]}})
    assert Triager.load(shipped, policy=ok).manifest["model_sha256"] == digest
    other = Policy.model_validate({**Policy.from_file().model_dump(), "model": {"allowed_sha256": ["0" * 64]}})
    with pytest.raises(ModelFileError, match="allowed_sha256"):
        Triager.load(shipped, policy=other)
    with pytest.raises(Exception, match="allowed_sha256"):
        Policy.model_validate({**Policy.from_file().model_dump(), "model": {"allowed_sha256": ["not-hex"]}})


def test_policy_file_with_model_section(shipped, tmp_path):
    text = (default_model_dir().parent.parent / "policy" / "default.toml").read_text()
    path = tmp_path / "policy.toml"
    path.write_text(text + f'\n[model]\nallowed_sha256 = ["{"1" * 64}"]\n')
    with pytest.raises(ModelFileError, match="not in the policy"):
        Triager.load(shipped, policy=path)


def test_a_model_saved_by_training_verifies(tmp_path):
    from cit_triage.model.training import train_folder

    rows = [{"notes": f"shoplifter detained number {i}", "label": "patrol"} for i in range(6)]
    rows += [{"notes": f"son hearing voices and has a knife {i}", "label": "co_responder"} for i in range(6)]
    rows += [{"notes": f"daughter hearing voices, no weapons {i}", "label": "cit"} for i in range(6)]
    train = tmp_path / "train.jsonl"
    train.write_text("".join(json.dumps(r) + "\n" for r in rows))
    # With eval_paths, training rewrites the manifest's metrics after saving: it must re-seal.
    train_folder(train, tmp_path / "m", model_version="t", featurizer_params={"min_df": 1}, eval_paths={"again": train})
    _, _, manifest = load_model(tmp_path / "m")
    assert "again" in manifest["metrics"]
