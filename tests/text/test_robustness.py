"""The guide's cases keep their label when written ALL CAPS, with glued separators, or with typos."""

import importlib.util
from pathlib import Path

import pytest

from variants import VARIANTS

_spec = importlib.util.spec_from_file_location("guide_cases", Path(__file__).parent.parent / "core" / "test_guide_cases.py")
_guide = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(_guide)
GUIDE_CASES = _guide.GUIDE_CASES


# "3 days- no weapons": the now separate "-" makes the answer cue "- no" swallow the "no"
# of "no weapons" (issue 11, item 2, context rules). Strict: remove the mark once fixed.
_KNOWN = pytest.mark.xfail(strict=True, reason="answer cue '- no' swallows a following 'no' (issue 11 item 2)")


@pytest.mark.parametrize("variant", [pytest.param(v, marks=_KNOWN) if v == "glued_separators" else v for v in sorted(VARIANTS)])
def test_guide_labels_hold_on_messy_variants(triager, variant):
    make = VARIANTS[variant]
    held = [triager.suggest(make(notes)).response.value == label for notes, label in GUIDE_CASES]
    misses = [make(notes) for (notes, _), ok in zip(GUIDE_CASES, held) if not ok]
    assert sum(held) / len(held) >= 0.97, misses


def test_variants_really_change_the_text():
    notes = "son hearing voices, threatened to stab his father"
    assert VARIANTS["glued_separators"](notes) != notes
    assert VARIANTS["one_typo"](notes) != notes
    assert VARIANTS["all_caps"](notes) == notes.upper()
