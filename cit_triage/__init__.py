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

import logging

from .errors import CitTriageError, DataFileError, InputError, ModelFileError, NotFittedError, PolicyError
from .policy import Policy
from .schema import MAX_NOTES_CHARS, Advisory, Assertion, Call, Question, Reason, Response, RiskFactor, Suggestion, TextSpan
from .triage import Triager

__version__ = "0.1.0"

__all__ = [
    "Advisory", "Assertion", "Call", "CitTriageError", "DataFileError", "InputError", "MAX_NOTES_CHARS",
    "ModelFileError", "NotFittedError", "Policy", "PolicyError", "Question", "Reason", "Response",
    "RiskFactor", "Suggestion", "TextSpan", "Triager", "__version__",
]

# A library never configures logging for its host application.
logging.getLogger(__name__).addHandler(logging.NullHandler())
