"""Offline API docs at ``/docs``: Swagger UI served from the files of the swagger-ui-bundle package.

FastAPI's default page loads Swagger UI from a CDN, which a dispatch center's network does
not reach; here the same page is built with FastAPI's own helper and points at local files.
"""

from __future__ import annotations

from fastapi import FastAPI
from fastapi.openapi.docs import get_swagger_ui_html
from fastapi.responses import HTMLResponse
from fastapi.staticfiles import StaticFiles

ASSETS = "/docs/assets"


def add_offline_docs(app: FastAPI) -> None:
    """Serve ``/docs`` (Swagger UI over ``app.openapi_url``) with no request leaving the host."""
    from swagger_ui_bundle import swagger_ui_path

    app.mount(ASSETS, StaticFiles(directory=swagger_ui_path), name="docs-assets")

    @app.get("/docs", include_in_schema=False)
    def swagger_ui() -> HTMLResponse:
        return get_swagger_ui_html(openapi_url=app.openapi_url, title=f"{app.title} API",
                                   swagger_js_url=f"{ASSETS}/swagger-ui-bundle.js",
                                   swagger_css_url=f"{ASSETS}/swagger-ui.css",
                                   swagger_favicon_url=f"{ASSETS}/favicon-32x32.png")
