"""``evaluate``: numbers, files, and no row lost."""

import json
import re

import pandas as pd

from cit_triage.evaluate import evaluate
from cit_triage.evaluate.report import highlight
from cit_triage.schema import RESPONSES


def test_every_row_is_scored_or_listed(tmp_path, tiny_triager, records):
    rows = records[:10] + [{"notes": "", "label": "patrol"}, {"notes": "theft", "label": "bogus"}]
    path = tmp_path / "calls.jsonl"
    path.write_text("".join(json.dumps(r) + "\n" for r in rows) + "not json\n", encoding="utf-8")
    m = evaluate(path, model=tiny_triager).metrics
    assert m["rows"] == {"total": 13, "scored": 10, "bad": 3}
    assert [b["row"] for b in m["bad_rows"]] == [11, 12, 13]
    assert sum(sum(r) for r in m["confusion_matrix"]["counts"]) == 10


def test_metrics_agree_with_the_suggestions(tiny_triager, labeled_path):
    result = evaluate(labeled_path, model=tiny_triager, slices=["district"])
    m = result.metrics
    correct = sum(s.correct for s in result.scored)
    assert m["accuracy"] == correct / len(result.scored)
    assert m["disagreements"]["count"] == len(result.scored) - correct
    assert m["needs_review"]["count"] == sum(s.suggestion.needs_review for s in result.scored)
    fired = sum(1 for s in result.scored for r in s.suggestion.reasons if r.source == "rule")
    assert sum(m["rule_firings"].values()) == fired
    assert {r["value"] for r in m["slices"]["district"]} == {"north", "south"}
    assert sum(r["n"] for r in m["slices"]["call_type"]) == len(result.scored)
    confidences = [s.suggestion.confidence for s in result.disagreements()]
    assert confidences == sorted(confidences, reverse=True)


def test_writes_metrics_json_and_a_self_contained_report(tmp_path, tiny_triager, labeled_path):
    evaluate(labeled_path, model=tiny_triager, out=tmp_path / "eval")
    metrics = json.loads((tmp_path / "eval" / "metrics.json").read_text(encoding="utf-8"))
    assert set(metrics["per_class"]) == set(RESPONSES)
    html = (tmp_path / "eval" / "report.html").read_text(encoding="utf-8")
    assert html.count('src="data:image/png;base64,') == 3
    assert not re.search(r'(src|href)="(https?:)?//', html)  # nothing loads from the network
    assert "<link" not in html and "<script" not in html


def test_report_escapes_notes_and_marks_cited_spans(tiny_triager):
    notes = "<b>son</b> hearing voices, threatened to stab his father, has kitchen knife"
    s = tiny_triager.suggest(notes)
    html = str(highlight(notes, s))
    assert "&lt;b&gt;son&lt;/b&gt;" in html and "<b>" not in html
    assert re.search(r'<mark class="(risk|crisis)"[^>]*>[^<]*knife', html)


def test_dataframe_input_with_column_map(tiny_triager, records):
    frame = pd.DataFrame(records).rename(columns={"notes": "NARRATIVE", "label": "DISPO"})
    m = evaluate(frame, label_column="DISPO", columns={"notes": "NARRATIVE"}, model=tiny_triager).metrics
    assert m["rows"]["scored"] == len(records)
