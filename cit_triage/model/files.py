"""Saving and loading a model folder without executing anything from it.

A model folder holds plain data only:
- ``weights.npz``: numeric arrays (read with ``allow_pickle=False``),
- ``vocabulary.json``: feature names in column order,
- ``manifest.json``: format, versions, parameters, metrics and the SHA-256 of every file.
Loading checks the format and every hash before using anything, so a tampered, truncated
or foreign file is refused with a clear error. (``joblib``/pickle files are never read:
unpickling runs code from the file.)
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import numpy as np

from ..errors import Errors, ModelFileError
from .features import FeatureEncoder
from ..schema import RESPONSES
from .weights import ResponseWeights

FORMAT = "cit_triage.model/1"
_FILES = ("weights.npz", "vocabulary.json")


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
        **manifest,
        "format": FORMAT,
        "classes": list(RESPONSES),
        "n_features": len(names),
        "featurizer_params": featurizer.get_params(),
        "classifier_params": classifier.get_params(),
        "files": {name: _sha256(folder / name) for name in _FILES},
    }
    (folder / "manifest.json").write_text(json.dumps(full, indent=2, ensure_ascii=False, default=str) + "\n", encoding="utf-8")
    return folder


def load_model(folder: str | Path) -> tuple[FeatureEncoder, ResponseWeights, dict]:
    """Read a model folder, refusing anything it cannot verify."""
    folder = Path(folder)
    manifest_path = folder / "manifest.json"
    if not manifest_path.is_file():
        raise ModelFileError(Errors.E011.format(path=folder))
    try:
        manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ModelFileError(Errors.E010.format(path=manifest_path, detail=f"manifest is not valid JSON ({exc})")) from None
    if not isinstance(manifest, dict):
        raise ModelFileError(Errors.E010.format(path=manifest_path, detail="manifest is not a JSON object"))
    if manifest.get("format") != FORMAT:
        raise ModelFileError(Errors.E012.format(found=manifest.get("format"), supported=FORMAT))
    hashes = manifest.get("files") or {}
    for name in _FILES:
        path = folder / name
        if not path.is_file():
            raise ModelFileError(Errors.E010.format(path=path, detail="file is missing"))
        if hashes.get(name) != _sha256(path):
            raise ModelFileError(Errors.E010.format(path=path, detail="checksum does not match the manifest (file changed or corrupted)"))
    try:
        names = json.loads((folder / "vocabulary.json").read_text(encoding="utf-8"))
        with np.load(folder / "weights.npz", allow_pickle=False) as data:
            coef, intercept, temperature = data["coef"], data["intercept"], float(data["temperature"][0])
    except (ValueError, KeyError, OSError, json.JSONDecodeError) as exc:
        raise ModelFileError(Errors.E010.format(path=folder, detail=f"unreadable model data ({exc})")) from None
    if (not isinstance(names, list) or coef.shape != (len(RESPONSES), len(names)) or intercept.shape != (len(RESPONSES),)
            or manifest.get("classes") != list(RESPONSES) or not np.isfinite(coef).all() or not temperature > 0):
        raise ModelFileError(Errors.E010.format(path=folder, detail="weights do not fit the vocabulary or classes"))

    fparams = manifest.get("featurizer_params") or {}
    featurizer = FeatureEncoder({name: i for i, name in enumerate(names)}, text_weight=float(fparams.get("text_weight", 0.3)),
                                ngram_max=int(fparams.get("ngram_max", 2)), params=fparams)
    classifier = ResponseWeights(coef, intercept, temperature, manifest.get("classifier_params") or {})
    return featurizer, classifier, manifest

