"""The guide's cases keep their label when written ALL CAPS, with glued separators, or with typos."""

import importlib.util
from pathlib import Path

import pytest

from variants import VARIANTS

_spec = importlib.util.spec_from_file_location("guide_cases", Path(__file__).parent.parent / "core" / "test_guide_cases.py")
_guide = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(_guide)
GUIDE_CASES = _guide.GUIDE_CASES


@pytest.mark.parametrize("variant", sorted(VARIANTS))
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
