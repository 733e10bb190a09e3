"""Protocol pages as structure: ProQA/MPDS and PowerPhone blocks, unit logs, stamps,
premise/caution notes and linkage boilerplate, read from a CAD page with their offsets.

>>> from cit_triage.protocol import read_layout
>>> page = read_layout("Dispatch CAD Code: 25D01V KQ: She is not violent.")
>>> page.protocol_kind, page.determinants[0].suffix
('behavioral', 'V')
>>> [(f.fact, f.assertion, f.source) for f in page.facts]
[('VIOLENCE', 'affirmed', 'suffix'), ('VIOLENCE', 'negated', 'answer')]

The knowledge is data in ``cit_triage/data/protocol/`` (see docs/protocol.md).
"""

from .layout import (Determinant, PageLayout, ProtocolFact, Segment, premise_spans, protocol_spans,
                     read_layout, skip_spans)
from .rules import ProtocolRules, load_rules

__all__ = ["Determinant", "PageLayout", "ProtocolFact", "ProtocolRules", "Segment", "load_rules",
           "premise_spans", "protocol_spans", "read_layout", "skip_spans"]
