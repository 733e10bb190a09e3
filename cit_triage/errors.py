"""Every message cit_triage raises, in one catalogue.

Messages say what is wrong and how to fix it. Codes are stable so that a CAD integration
can match on them (``"[E003] ..."``). Note text is never put into a message: call notes are
sensitive and messages end up in logs.
"""

from __future__ import annotations


class Errors:
    E001 = "notes are empty and no call_type was given: there is nothing to triage"
    E002 = "notes are too long: {n} characters, the limit is {limit}"
    E003 = "notes are not valid text: {detail}"
    E004 = "notes must be a string, got {type}"
    E010 = ("model file refused: {path}: {detail}. Retrain with `cit-triage train` or reinstall "
            "the shipped model")
    E011 = "no model found at {path}: pass a model folder, or set CIT_TRIAGE_MODEL"
    E012 = ("model format {found} is not supported by this cit_triage (reads {supported}): "
            "retrain the model with this version")
    E020 = "policy file {path}: {detail}"
    E030 = "data file {path}: {detail}"
    E031 = "lexicon record {line} in {path}: {detail}"
    E040 = "{name} is not fitted yet: call fit() first"


class CitTriageError(ValueError):
    """Base class of cit_triage's own errors (a ValueError, so callers can catch either)."""


class InputError(CitTriageError):
    """A call's input is unusable (empty, too long, not text)."""


class ModelFileError(CitTriageError):
    """A model folder is missing, tampered with or from an incompatible version."""


class PolicyError(CitTriageError):
    """The agency policy file is malformed."""


class DataFileError(CitTriageError):
    """A lexicon, rules or data file is malformed."""


class NotFittedError(CitTriageError, AttributeError):
    """An estimator was used before ``fit``."""
