"""Saving and loading a model folder without executing anything from it.

A model folder holds plain data only:
- ``weights.npz``: numeric arrays (read with ``allow_pickle=False``),
- ``vocabulary.json``: feature names in column order,
- ``manifest.json``: format, versions, parameters and metrics,
- ``checksums.sha256``: the SHA-256 of each of those three files, in ``sha256sum`` format
  (``sha256sum -c checksums.sha256`` checks a folder by hand).

The SHA-256 of ``checksums.sha256`` is the model's digest: it covers the manifest and every
file the model is made of, so a policy can pin the models it trusts (``[model]
allowed_sha256``). A re-hashed tampered folder has another digest. ``model_card.json`` and
``model_card.md`` are renderings of the manifest for people; nothing reads them at load.

Loading checks the list, every hash and then every value's type and shape before using
anything, so a tampered, truncated or foreign folder is refused with ``ModelFileError``, never
a raw Python error. (``joblib``/pickle files are never read: unpickling runs code.)
"""

from __future__ import annotations

import hashlib
import json
import math
import re
from pathlib import Path

import numpy as np

from ..errors import Errors, ModelFileError
from .features import FeatureEncoder
from ..schema import RESPONSES
from .weights import ResponseWeights

FORMAT = "cit_triage.model/2"
CHECKSUMS = "checksums.sha256"
#: The files a model is made of, all listed in ``CHECKSUMS``.
MODEL_FILES = ("manifest.json", "weights.npz", "vocabulary.json")
_ARRAYS = {"coef", "intercept", "temperature"}
_LINE = re.compile(r"^([0-9a-f]{64}) [ *]([A-Za-z0-9_.\-]+)$")


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def save_model(folder: str | Path, featurizer, classifier, manifest: dict) -> Path:
    """Write a model folder from a fitted featurizer and classifier (the training estimators or
    their runtime forms); ``manifest`` adds metadata (version, data hash, metrics ...)."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    names = list(featurizer.get_feature_names_out())
    (folder / "vocabulary.json").write_text(json.dumps(names, ensure_ascii=False), encoding="utf-8")
    np.savez(folder / "weights.npz", coef=classifier.coef_, intercept=classifier.intercept_,
             temperature=np.array([classifier.temperature_]))
    full = {
        **{k: v for k, v in manifest.items() if k not in ("files", "model_sha256")},
        "format": FORMAT,
        "classes": list(RESPONSES),
        "n_features": len(names),
        "featurizer_params": featurizer.get_params(),
        "classifier_params": classifier.get_params(),
    }
    write_manifest(folder, full)
    return folder


def write_manifest(folder: str | Path, manifest: dict) -> str:
    """(Re)write ``manifest.json`` and the checksum list; returns the model digest."""
    folder = Path(folder)
    (folder / "manifest.json").write_text(json.dumps(manifest, indent=2, ensure_ascii=False, default=str) + "\n",
                                          encoding="utf-8")
    return seal_model(folder)


def update_manifest(folder: str | Path, **fields) -> str:
    """Change top-level manifest fields of a saved model (e.g. held-out ``metrics``) and re-seal it."""
    manifest = json.loads((Path(folder) / "manifest.json").read_text(encoding="utf-8"))
    return write_manifest(folder, {**manifest, **fields})


def seal_model(folder: str | Path) -> str:
    """Write ``checksums.sha256`` over the model files; returns the model digest."""
    folder = Path(folder)
    text = "".join(f"{_sha256(folder / name)}  {name}\n" for name in MODEL_FILES)
    (folder / CHECKSUMS).write_text(text, encoding="ascii")
    return hashlib.sha256(text.encode("ascii")).hexdigest()


def model_digest(folder: str | Path) -> str:
    """The SHA-256 of a model folder's checksum list (what a policy's allow-list names)."""
    return _sha256(Path(folder) / CHECKSUMS)


def _refuse(path, detail: str) -> ModelFileError:
    return ModelFileError(Errors.E010.format(path=path, detail=detail))


def _verify_checksums(folder: Path) -> str:
    """Check the list and every listed file; return the digest."""
    path = folder / CHECKSUMS
    if not path.is_file():
        if (folder / "manifest.json").is_file():
            raise _refuse(path, "file is missing (a model saved by an older cit_triage: retrain or re-save it)")
        raise ModelFileError(Errors.E011.format(path=folder))
    raw = path.read_bytes()
    try:
        lines = raw.decode("ascii").splitlines()
    except UnicodeDecodeError:
        raise _refuse(path, "not a sha256sum list") from None
    listed: dict[str, str] = {}
    for line in lines:
        m = _LINE.match(line)
        if m is None or m.group(2) in listed:
            raise _refuse(path, "not a sha256sum list of model files")
        listed[m.group(2)] = m.group(1)
    if sorted(listed) != sorted(MODEL_FILES):
        raise _refuse(path, f"must list exactly {', '.join(MODEL_FILES)}")
    for name, digest in listed.items():
        file = folder / name
        if not file.is_file():
            raise _refuse(file, "file is missing")
        if _sha256(file) != digest:
            raise _refuse(file, "checksum does not match checksums.sha256 (file changed or corrupted)")
    return hashlib.sha256(raw).hexdigest()


def load_model(folder: str | Path, allowed_sha256: list[str] | tuple[str, ...] | None = None
               ) -> tuple[FeatureEncoder, ResponseWeights, dict]:
    """Read a model folder, refusing anything it cannot verify.

    ``allowed_sha256``: when given, the model digest (see :func:`model_digest`) must be one
    of them. The returned manifest carries the digest as ``model_sha256``.
    """
    folder = Path(folder)
    if not folder.is_dir():
        raise ModelFileError(Errors.E011.format(path=folder))
    try:
        digest = _verify_checksums(folder)
    except OSError as exc:
        raise _refuse(folder, f"unreadable ({exc.strerror or type(exc).__name__})") from None
    if allowed_sha256 is not None and digest not in {d.lower() for d in allowed_sha256}:
        raise _refuse(folder, f"model digest {digest} is not in the policy's [model] allowed_sha256")
    try:
        return _parse(folder, digest)
    except ModelFileError:
        raise
    except Exception as exc:  # noqa: BLE001 - whatever a crafted file triggers, it is a refused model
        raise _refuse(folder, f"unusable model data ({type(exc).__name__})") from None


def _parse(folder: Path, digest: str) -> tuple[FeatureEncoder, ResponseWeights, dict]:
    manifest_path = folder / "manifest.json"
    try:
        manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
    except (UnicodeDecodeError, ValueError) as exc:
        raise _refuse(manifest_path, f"manifest is not valid JSON ({type(exc).__name__})") from None
    if not isinstance(manifest, dict):
        raise _refuse(manifest_path, "manifest is not a JSON object")
    if manifest.get("format") != FORMAT:
        found = manifest.get("format")
        raise ModelFileError(Errors.E012.format(found=found if isinstance(found, str) else "(none)", supported=FORMAT))
    if manifest.get("classes") != list(RESPONSES):
        raise _refuse(manifest_path, f"classes must be {list(RESPONSES)}")
    fparams = manifest.get("featurizer_params")
    cparams = manifest.get("classifier_params", {})
    if not isinstance(fparams, dict) or not isinstance(cparams, dict):
        raise _refuse(manifest_path, "featurizer_params and classifier_params must be JSON objects")
    text_weight, ngram_max = fparams.get("text_weight", 0.3), fparams.get("ngram_max", 2)
    if (isinstance(text_weight, bool) or not isinstance(text_weight, (int, float)) or not math.isfinite(text_weight)
            or not 0 <= text_weight <= 10):
        raise _refuse(manifest_path, "featurizer_params.text_weight must be a number from 0 to 10")
    if isinstance(ngram_max, bool) or not isinstance(ngram_max, int) or not 1 <= ngram_max <= 3:
        raise _refuse(manifest_path, "featurizer_params.ngram_max must be 1, 2 or 3")
    for key in ("model_version", "policy_version", "lexicon_version", "created_at"):
        if key in manifest and not isinstance(manifest[key], str):
            raise _refuse(manifest_path, f"{key} must be a string")

    names = json.loads((folder / "vocabulary.json").read_text(encoding="utf-8"))
    if not isinstance(names, list) or not all(isinstance(n, str) for n in names) or len(set(names)) != len(names):
        raise _refuse(folder / "vocabulary.json", "not a list of distinct feature names")
    if manifest.get("n_features", len(names)) != len(names):
        raise _refuse(folder, "weights do not fit the vocabulary: n_features in the manifest differs")
    try:
        with np.load(folder / "weights.npz", allow_pickle=False) as data:
            if set(data.files) != _ARRAYS:
                raise _refuse(folder / "weights.npz", f"must hold exactly the arrays {sorted(_ARRAYS)}")
            coef, intercept, temperature = data["coef"], data["intercept"], data["temperature"]
    except (ValueError, OSError, EOFError) as exc:
        raise _refuse(folder / "weights.npz", f"not a plain-array .npz ({type(exc).__name__})") from None
    if any(a.dtype.kind != "f" for a in (coef, intercept, temperature)):
        raise _refuse(folder / "weights.npz", "arrays must hold floating-point numbers")
    if (coef.shape != (len(RESPONSES), len(names)) or intercept.shape != (len(RESPONSES),) or temperature.shape != (1,)
            or not (np.isfinite(coef).all() and np.isfinite(intercept).all())
            or not (np.isfinite(temperature[0]) and temperature[0] > 0)):
        raise _refuse(folder, "weights do not fit the vocabulary or classes")

    featurizer = FeatureEncoder({name: i for i, name in enumerate(names)}, text_weight=float(text_weight),
                                ngram_max=ngram_max, params=fparams)
    classifier = ResponseWeights(coef, intercept, float(temperature[0]), cparams)
    return featurizer, classifier, {**manifest, "model_sha256": digest}
