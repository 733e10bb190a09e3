"""cit_triage: explained triage suggestions for 911 calls.

Reads a call's notes (and optional CAD fields) and suggests a standard patrol, a CIT officer
or a co-responder team (CIT officer + clinician), with the reasons, the risk factors, and
the questions to ask when it cannot tell. Decision support: the dispatcher decides.

>>> from cit_triage import Triager, Call
>>> triager = Triager.load()
>>> s = triager.suggest(Call(notes="RP states her son is hearing voices, no weapons, not violent"))
>>> s.response.value
'cit'
"""

import importlib
import logging

__version__ = "0.1.0"

# Public names and the module each lives in. They are imported on first use (PEP 562), so
# `import cit_triage` and `cit-triage --help` stay fast, and TriageEstimator (scikit-learn)
# costs nothing until it is asked for.
_EXPORTS = {
    **dict.fromkeys(("CitTriageError", "DataFileError", "InputError", "ModelFileError", "NotFittedError",
                     "PolicyError"), ".errors"),
    "Policy": ".policy",
    **dict.fromkeys(("MAX_NOTES_CHARS", "Advisory", "Assertion", "Call", "Question", "Reason", "Response",
                     "RiskFactor", "Suggestion", "TextSpan"), ".schema"),
    "Triager": ".triage",
    "TriageEstimator": ".model.estimator",
}

__all__ = sorted([*_EXPORTS, "__version__"])


def __getattr__(name: str):
    if name not in _EXPORTS:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(_EXPORTS[name], __name__), name)
    globals()[name] = value  # later look-ups skip this function
    return value


def __dir__() -> list[str]:
    return sorted({*globals(), *_EXPORTS})


# A library never configures logging for its host application.
logging.getLogger(__name__).addHandler(logging.NullHandler())
