"""The evaluation report for a dispatch trainer: numbers explained, reasons in words,
highlights only where a reason cites them, long pages folded, --no-notes leaves no note text."""

import html as htmllib
import re

import pytest

from cit_triage.evaluate import evaluate
from cit_triage.evaluate.report import fold_point, highlight, render_report, shown_reasons

LONG_PAGE = ("1402 UNIT 2A12 ENRT\n1403 RP STS HER SON HEARING VOICES\n1404 NO WEAPONS SEEN\n"
             "1405 SUBJ PACING IN YARD\n1406 RP ADVISED TO STAY INSIDE\n1407 UNIT ON SCENE\n"
             "1408 SUBJ TALKING TO HIMSELF\n1409 SUPV NOTIFIED\n")


@pytest.fixture(scope="module")
def result(tiny_triager, labeled_path):
    return evaluate(labeled_path, model=tiny_triager)


def _page(result, include_notes=True):
    return render_report(result.metrics, result.scored, result.disagreements(), include_notes=include_notes)


def test_every_headline_number_has_a_sentence(result):
    page = _page(result)
    cards = re.findall(r'<div class="card[^"]*">(.*?)</div>\s*</div>', page, flags=re.S)
    assert len(cards) >= 8
    for card in cards:
        explanation = re.search(r'<div class="x">([^<]+)', card)
        assert explanation and explanation.group(1).strip().endswith((".", ")")), card


def test_rules_are_shown_in_words_never_by_id(result):
    page = _page(result)
    fired = result.metrics["rule_firings"]
    assert fired, "the test data should fire at least one rule"
    for rule_id in fired:
        assert rule_id not in page, rule_id
    for rule_id in fired:
        assert htmllib.escape(result.metrics["rule_descriptions"][rule_id], quote=False) in page


def test_only_words_a_shown_reason_cites_are_marked(tiny_triager):
    notes = "brother hearing voices, says the TV talks to him, threatened to stab dad with kitchen knife"
    s = tiny_triager.suggest(notes)
    cited = {(sp.start, sp.end) for r in shown_reasons(s) for sp in r.spans}
    marked = highlight(notes, s)
    spans = re.findall(r'<mark class="[a-z]+" title="[^"]*">([^<]*)</mark>', str(marked))
    assert spans
    covered = [False] * len(notes)
    for start, end in cited:
        covered[start:end] = [True] * (end - start)
    for text in spans:
        start = notes.index(htmllib.unescape(text))
        assert all(covered[start:start + len(text)]), text
    assert "class=\"muted\"" not in str(marked)


def test_a_long_cad_page_is_folded_with_show_all(tiny_triager):
    assert fold_point("short note") is None
    cut = fold_point(LONG_PAGE)
    assert cut is not None and cut < len(LONG_PAGE) // 2


def test_long_page_in_report_has_preview_and_details(tiny_triager, tmp_path):
    import json

    path = tmp_path / "calls.jsonl"
    rows = [{"notes": LONG_PAGE, "label": "patrol"}, {"notes": "loud music next door", "label": "co_responder"}]
    path.write_text("\n".join(json.dumps(r) for r in rows) + "\n", encoding="utf-8")
    page = _page(evaluate(path, model=tiny_triager))
    assert page.count('<details class="fold">') == 1
    assert "show all (8 lines" in page


def test_no_notes_leaves_no_note_text_anywhere(result, records):
    page = _page(result, include_notes=False)
    for d in result.disagreements():
        for r in d.suggestion.reasons:
            for sp in r.spans:
                assert f"&#34;{sp.text}&#34;" not in page and f'"{sp.text}"' not in page, sp.text
    for rec in records:
        assert htmllib.escape(rec["notes"][:25]) not in page
    assert "\u201c\u2026\u201d" in page  # quoted phrases are replaced, not the reasons dropped


def test_report_file_is_owner_only(result, tmp_path):
    result.write(tmp_path / "eval")
    assert (tmp_path / "eval" / "report.html").stat().st_mode & 0o077 == 0
