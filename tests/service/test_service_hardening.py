"""Issue 14 items 3 and 4 on a real loopback server: half-open connections neither count toward
--max-concurrency nor stay open, bodies have a read timeout, a 504 stops the work, TLS, the
token rule in create_app, the Host check and the no-store/nosniff headers."""

from __future__ import annotations

import shutil
import socket
import ssl
import subprocess
import threading
import time

import httpx
import pytest
from typer.testing import CliRunner

from cit_triage.cli import app as cli_app
from cit_triage.service import ServiceConfig, create_app

from .conftest import CLEAR_CO_RESPONDER, CLEAR_PATROL, TOKEN
from .serving import LOOPBACK, start_subprocess

HALF_OPEN = 70


def _half_open(port: int, n: int) -> list[socket.socket]:
    """Connections that send part of the headers and then wait for ever."""
    out = []
    for _ in range(n):
        s = socket.create_connection((LOOPBACK, port), timeout=5)
        s.sendall(b"POST /v1/suggestions HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n")
        out.append(s)
    return out


def _closed_by_server(s: socket.socket, wait: float) -> bool:
    s.settimeout(wait)
    try:
        return s.recv(1024) == b""
    except (ConnectionResetError, BrokenPipeError):
        return True
    except socket.timeout:
        return False


def test_half_open_connections_do_not_lock_clients_out_and_are_closed(tiny_model_dir, tmp_path):
    proc, base = start_subprocess(tiny_model_dir, tmp_path / "audit.db", "--max-concurrency", "8",
                                  "--header-timeout", "3")
    try:
        port = int(base.rsplit(":", 1)[1])
        sockets = _half_open(port, HALF_OPEN)
        time.sleep(0.3)
        with httpx.Client(timeout=10) as c:
            statuses = [c.post(f"{base}/v1/suggestions", json={"notes": CLEAR_PATROL}).status_code for _ in range(10)]
        assert statuses == [200] * 10, statuses
        started = time.monotonic()
        closed = sum(_closed_by_server(s, 8) for s in sockets)
        print(f"\n{HALF_OPEN} half-open connections held while 10 of 10 real requests succeeded; "
              f"{closed} closed by the server within {time.monotonic() - started + 0.3:.1f} s")
        assert closed == HALF_OPEN
        for s in sockets:
            s.close()
    finally:
        proc.kill()
        proc.wait(10)


def test_a_body_that_never_arrives_gets_408(tiny_model_dir, tmp_path):
    proc, base = start_subprocess(tiny_model_dir, tmp_path / "audit.db", "--body-timeout", "1")
    try:
        port = int(base.rsplit(":", 1)[1])
        s = socket.create_connection((LOOPBACK, port), timeout=10)
        s.sendall(b"POST /v1/suggestions HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
                  b"Content-Length: 100\r\n\r\n{\"notes\": ")
        s.settimeout(10)
        answer = s.recv(4096)
        assert answer.startswith(b"HTTP/1.1 408"), answer[:60]
        s.close()
    finally:
        proc.kill()
        proc.wait(10)


class SlowTriager:
    """Wraps a Triager; every suggested call takes 20 ms and is counted."""

    def __init__(self, inner):
        self.inner, self.done, self.lock = inner, 0, threading.Lock()

    def __getattr__(self, name):
        return getattr(self.inner, name)

    def suggest_many(self, calls, **kw):
        out = []
        for call in calls:
            time.sleep(0.02)
            out += self.inner.suggest_many([call], **kw)
            with self.lock:
                self.done += 1
        return out


def test_a_504_stops_the_batch_work(make_client, tiny_triager):
    slow = SlowTriager(tiny_triager)
    client = make_client(triager=slow, timeout_seconds=0.5)
    res = client.post("/v1/suggestions:batch", json={"calls": [{"notes": f"{CLEAR_PATROL} {i}"} for i in range(400)]})
    assert res.status_code == 504
    time.sleep(1.0)
    settled = slow.done
    time.sleep(1.0)
    assert slow.done == settled, "work went on after the client was told it timed out"
    assert settled < 100  # 400 calls x 20 ms = 8 s if nothing stopped it


def test_a_504_stops_a_single_call_at_the_next_stage(make_client, tiny_triager, monkeypatch):
    import cit_triage.analysis as analysis

    real_layout, real_facts = analysis.read_layout, analysis.derive_facts
    later = []

    def slow_layout(*args, **kwargs):
        time.sleep(0.8)  # a page that takes longer than the request's limit
        return real_layout(*args, **kwargs)

    def counted_facts(*args, **kwargs):
        later.append(1)
        return real_facts(*args, **kwargs)

    monkeypatch.setattr(analysis, "read_layout", slow_layout)
    monkeypatch.setattr(analysis, "derive_facts", counted_facts)
    client = make_client(triager=tiny_triager, timeout_seconds=0.3)
    res = client.post("/v1/suggestions", json={"notes": CLEAR_PATROL})
    assert res.status_code == 504
    time.sleep(1.2)
    assert later == [], "the analysis went on to its next stage after the client was told it timed out"


def test_create_app_refuses_no_token_off_loopback(tiny_triager, audit):
    with pytest.raises(ValueError, match="without a token"):
        create_app(tiny_triager, audit, ServiceConfig(host="0.0.0.0"))
    create_app(tiny_triager, audit, ServiceConfig(host="0.0.0.0", token=TOKEN))


def test_no_token_app_answers_only_on_loopback_addresses(make_client):
    from fastapi.testclient import TestClient

    app = make_client(allowed_hosts=("*",)).app
    far = TestClient(app, base_url="http://192.0.2.10", raise_server_exceptions=False)
    res = far.post("/v1/suggestions", json={"notes": CLEAR_PATROL})
    assert res.status_code == 403 and res.json()["error"]["code"] == "forbidden"


@pytest.mark.parametrize("host", ["evil.example", "evil.example:8000", "127.0.0.1.evil.example", "10.0.0.1"])
def test_foreign_host_header_refused_without_token(client, host):
    res = client.post("/v1/suggestions", json={"notes": CLEAR_PATROL}, headers={"host": host})
    assert res.status_code == 400 and res.json()["error"]["code"] == "invalid_host"


@pytest.mark.parametrize("host", ["127.0.0.1:8000", "localhost", "[::1]:8000"])
def test_loopback_host_headers_accepted(client, host):
    assert client.post("/v1/suggestions", json={"notes": CLEAR_PATROL}, headers={"host": host}).status_code == 200


@pytest.mark.parametrize("path,body", [("/v1/suggestions", {"notes": CLEAR_CO_RESPONDER}),
                                       ("/v1/suggestions:batch", {"calls": [{"notes": CLEAR_PATROL}]}),
                                       ("/v1/suggestions", {"notes": 911})])
def test_responses_are_not_cached_or_sniffed(client, path, body):
    res = client.post(path, json=body)
    assert res.headers["cache-control"] == "no-store"
    assert res.headers["x-content-type-options"] == "nosniff"


def test_serve_refuses_plain_http_off_loopback(tmp_path, monkeypatch):
    import uvicorn

    started = []
    monkeypatch.setattr(uvicorn, "run", lambda app, **kw: started.append(kw))  # never bind off loopback in a test
    token = tmp_path / "token"
    token.write_text(TOKEN)
    token.chmod(0o600)
    res = CliRunner().invoke(cli_app, ["serve", "--host", "0.0.0.0", "--token-file", str(token),
                                       "--audit-db", str(tmp_path / "a.db")])
    assert res.exit_code != 0 and "refusing plain HTTP" in res.output
    assert started == []


@pytest.mark.skipif(shutil.which("openssl") is None, reason="needs the openssl command")
def test_tls_on_loopback(tiny_model_dir, tmp_path):
    cert, key = tmp_path / "cert.pem", tmp_path / "key.pem"
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj", "/CN=127.0.0.1",
                    "-addext", "subjectAltName=IP:127.0.0.1", "-keyout", str(key), "-out", str(cert)],
                   check=True, capture_output=True)
    proc, base = start_subprocess(tiny_model_dir, tmp_path / "audit.db", "--tls-cert", str(cert), "--tls-key", str(key),
                                  scheme="https", verify=ssl.create_default_context(cafile=str(cert)))
    try:
        assert base.startswith("https://")
        res = httpx.post(f"{base}/v1/suggestions", json={"notes": CLEAR_PATROL},
                         verify=ssl.create_default_context(cafile=str(cert)), timeout=30)
        assert res.status_code == 200
        with pytest.raises(httpx.HTTPError):  # plain HTTP on the TLS port gets nothing
            httpx.get(base.replace("https://", "http://") + "/healthz", timeout=5)
    finally:
        proc.kill()
        proc.wait(10)
