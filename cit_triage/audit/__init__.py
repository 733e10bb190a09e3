"""The local audit log: served suggestions and dispatcher decisions, for closing the loop."""

from .export import ExportSummary, export_audit
from .store import AuditError, AuditStore, Decision, UnknownSuggestion, new_suggestion_id

__all__ = ["AuditError", "AuditStore", "Decision", "ExportSummary", "UnknownSuggestion", "export_audit",
           "new_suggestion_id"]
