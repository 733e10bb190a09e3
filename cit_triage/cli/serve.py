"""``cit-triage serve``: the HTTP API (FastAPI + uvicorn) with token auth, TLS and the audit log."""

from __future__ import annotations

import stat
from pathlib import Path
from typing import Optional

import typer

from .common import fail, load_triager


def read_token(token: str | None, token_file: Path | None) -> str | None:
    """The API token from --token-file (preferred) or --token / $CIT_TRIAGE_TOKEN; None when neither."""
    if token_file is not None:
        try:
            text = token_file.read_text(encoding="utf-8").strip()
            mode = token_file.stat().st_mode
        except (OSError, UnicodeDecodeError) as exc:
            fail(f"cannot read the token file {token_file}: {getattr(exc, 'strerror', None) or exc}")
        if not text:
            fail(f"the token file {token_file} is empty")
        if mode & (stat.S_IRWXG | stat.S_IRWXO):
            typer.echo(f"warning: {token_file} is readable by other users; chmod 600 it", err=True)
        return text
    token = (token or "").strip()
    return token or None


def serve_command(
    host: str = typer.Option("127.0.0.1", "--host", help="Address to bind. Anything but loopback requires a token."),
    port: int = typer.Option(8000, "--port", min=1, max=65535),
    model: Optional[Path] = typer.Option(None, "--model", help="Model folder (default: the shipped model)."),
    policy: Optional[Path] = typer.Option(None, "--policy", help="Agency policy TOML (default: the shipped policy)."),
    token_file: Optional[Path] = typer.Option(None, "--token-file", help="File holding the bearer token (preferred)."),
    token: Optional[str] = typer.Option(None, "--token", envvar="CIT_TRIAGE_TOKEN", show_envvar=True,
                                        help="Bearer token; better set through the environment than on the command line."),
    audit_db: Optional[Path] = typer.Option(None, "--audit-db", envvar="CIT_TRIAGE_AUDIT_DB", help=(
        "SQLite audit log (holds call notes: keep it as private as the CAD). Default: "
        "$XDG_STATE_HOME/cit_triage/audit.db, else ~/.local/state/cit_triage/audit.db.")),
    tls_cert: Optional[Path] = typer.Option(None, "--tls-cert", help="PEM certificate (chain): serve HTTPS."),
    tls_key: Optional[Path] = typer.Option(None, "--tls-key", help="PEM private key of --tls-cert."),
    insecure_http: bool = typer.Option(False, "--insecure-http", help="Allow plain HTTP off loopback (only behind a "
                                       "TLS-terminating proxy on a trusted segment)."),
    allowed_host: Optional[list[str]] = typer.Option(None, "--allowed-host", help="Host header name to accept "
                                                     "(repeat; default: loopback names without a token, any with one)."),
    audit_sync: str = typer.Option("FULL", "--audit-sync", help="SQLite synchronous level: FULL (survives power loss) "
                                   "or NORMAL (survives a killed process; only on battery-backed storage)."),
    max_body_bytes: int = typer.Option(1_048_576, "--max-body-bytes", min=1024, help="Largest request body accepted."),
    max_batch: int = typer.Option(500, "--max-batch", min=1, max=10_000, help="Most calls in one batch request."),
    timeout: float = typer.Option(10.0, "--timeout", min=0.1, help="Seconds allowed for one suggestion or batch."),
    max_concurrency: int = typer.Option(64, "--max-concurrency", min=1, help="Requests in flight before answering 503 "
                                        "(counted once headers are in: slow or idle connections never count)."),
    header_timeout: float = typer.Option(10.0, "--header-timeout", min=0.1, help="Seconds a client has to send its headers."),
    body_timeout: float = typer.Option(30.0, "--body-timeout", min=0.1, help="Seconds a client has to send its body."),
    log_level: str = typer.Option("info", "--log-level", help="debug, info, warning or error."),
) -> None:
    """Serve suggestions over HTTP: /v1/suggestions, /v1/suggestions:batch, /v1/eido/suggestions, /v1/model."""
    from ..audit import AuditError, AuditStore, default_audit_path
    from ..service import ServiceConfig, create_app
    from ..service.net import is_loopback
    from ..service.logs import log_event, setup_logging
    from ..service.protocol import header_timeout_protocol

    secret = read_token(token, token_file)
    if secret is None and not is_loopback(host):
        fail(f"refusing to listen on {host} without a token: set CIT_TRIAGE_TOKEN or --token-file, "
             "or bind to 127.0.0.1")
    if (tls_cert is None) != (tls_key is None):
        fail("--tls-cert and --tls-key go together")
    for path in (tls_cert, tls_key):
        if path is not None and not path.is_file():
            fail(f"cannot read {path}: no such file")
    if tls_cert is None and not is_loopback(host) and not insecure_http:
        fail(f"refusing plain HTTP on {host}: the token and the notes would cross the network in clear. "
             "Pass --tls-cert and --tls-key (or --insecure-http behind a TLS proxy)")
    try:
        config = ServiceConfig(token=secret, host=host, allowed_hosts=tuple(allowed_host) if allowed_host else None,
                               max_body_bytes=max_body_bytes, max_batch=max_batch, timeout_seconds=timeout,
                               header_timeout_seconds=header_timeout, body_timeout_seconds=body_timeout,
                               max_concurrency=max_concurrency)
    except ValueError as exc:
        fail(str(exc))
    audit_db = audit_db or default_audit_path()
    if audit_sync.upper() not in {"FULL", "NORMAL"}:
        fail(f"--audit-sync takes FULL or NORMAL; got {audit_sync!r}")
    if log_level.lower() not in {"debug", "info", "warning", "error"}:
        fail(f"--log-level takes debug, info, warning or error; got {log_level!r}")
    triager = load_triager(model, policy)
    try:
        audit = AuditStore(audit_db, synchronous=audit_sync)  # created 0600, journals included
    except AuditError as exc:
        fail(str(exc))
    import uvicorn

    setup_logging(log_level)
    log_event("starting", host=host, port=port, auth="bearer" if secret else "none (loopback)",
              tls=tls_cert is not None, audit_rows=audit.head[0], audit_head=audit.head[1],
              model_version=triager.model_version, policy_version=triager.policy.policy_version,
              audit_db=str(audit_db), audit_sync=audit_sync.upper(), max_batch=max_batch, max_body_bytes=max_body_bytes)
    app = create_app(triager, audit, config, close_audit_on_shutdown=True)
    try:
        # The concurrency limit is the app's (ConcurrencyLimit), not uvicorn's, which counts
        # connections that have not sent their headers yet.
        uvicorn.run(app, host=host, port=port, log_config=None, access_log=False, server_header=False,
                    http=header_timeout_protocol(header_timeout), timeout_keep_alive=5, proxy_headers=False,
                    ssl_certfile=str(tls_cert) if tls_cert else None, ssl_keyfile=str(tls_key) if tls_key else None)
    finally:
        audit.close()  # already closed by the app's shutdown, unless uvicorn failed to start


def register(app: typer.Typer) -> None:
    app.command("serve")(serve_command)
