"""Evaluate, compare and train models on labeled past calls (the CLI's notebook equivalents).

>>> from cit_triage.evaluate import evaluate, compare, train      # doctest: +SKIP
>>> evaluate("calls.jsonl", out="eval/").metrics["macro_f1"]        # doctest: +SKIP
"""

from .compare import ComparisonResult, compare
from ..model.crossval import train
from ..io.labeled import BadRow, LabeledCall, LabeledData, read_labeled
from .evaluation import EvaluationResult, ScoredCall, evaluate

__all__ = ["BadRow", "ComparisonResult", "EvaluationResult", "LabeledCall", "LabeledData", "ScoredCall", "compare",
           "evaluate", "read_labeled", "train"]
