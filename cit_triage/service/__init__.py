"""The HTTP service (`cit-triage serve`): FastAPI app, token auth, audit log, EIDO endpoint."""

from .config import ServiceConfig
from .main import create_app

__all__ = ["ServiceConfig", "create_app"]
