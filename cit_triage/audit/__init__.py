"""The local audit log: served suggestions and dispatcher decisions, for closing the loop."""

from .export import ExportSummary, export_audit
from .store import (AuditError, AuditStore, ChainReport, Decision, UnknownSuggestion, default_audit_path,
                    new_suggestion_id, verify_chain)

__all__ = ["AuditError", "AuditStore", "ChainReport", "Decision", "ExportSummary", "UnknownSuggestion",
           "default_audit_path", "export_audit", "new_suggestion_id", "verify_chain"]
