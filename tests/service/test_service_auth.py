"""Bearer-token auth, and `serve` refusing a non-loopback bind without a token."""

from __future__ import annotations

import pytest
from typer.testing import CliRunner

from cit_triage.cli import app as cli_app
from cit_triage.service import ServiceConfig
from cit_triage.service.dependencies import is_loopback, token_ok
from cit_triage.service.errors import Code

from .conftest import CLEAR_PATROL, TOKEN


@pytest.mark.parametrize("headers", [{}, {"Authorization": "Bearer wrong-token-0123456789"}, {"Authorization": TOKEN},
                                     {"Authorization": f"Basic {TOKEN}"}])
def test_v1_without_the_right_token_is_401(make_client, headers):
    client = make_client(token=TOKEN)
    res = client.post("/v1/suggestions", json={"notes": CLEAR_PATROL}, headers=headers)
    assert res.status_code == 401
    assert res.json()["error"]["code"] == Code.unauthorized
    assert res.headers["www-authenticate"] == "Bearer"


def test_unauthenticated_bad_json_gets_401_not_a_parse_error(make_client):
    client = make_client(token=TOKEN)
    res = client.post("/v1/suggestions", content=b"{not json", headers={"content-type": "application/json"})
    assert res.status_code == 401


def test_right_token_is_accepted_everywhere_under_v1(make_client):
    client = make_client(token=TOKEN)
    auth = {"Authorization": f"Bearer {TOKEN}"}
    assert client.post("/v1/suggestions", json={"notes": CLEAR_PATROL}, headers=auth).status_code == 200
    assert client.get("/v1/model", headers=auth).status_code == 200
    assert client.get("/v1/model").status_code == 401


def test_health_and_schema_need_no_token(make_client):
    client = make_client(token=TOKEN)
    assert client.get("/healthz").status_code == 200
    assert client.get("/readyz").status_code == 200
    assert client.get("/openapi.json").status_code == 200


def test_short_tokens_are_refused():
    with pytest.raises(ValueError, match="too short"):
        ServiceConfig(token="abc")


@pytest.mark.parametrize("host,loop", [("127.0.0.1", True), ("127.3.2.1", True), ("::1", True), ("[::1]", True),
                                       ("localhost", True), ("0.0.0.0", False), ("::", False), ("10.0.0.5", False),
                                       ("cad.example.gov", False)])
def test_is_loopback(host, loop):
    assert is_loopback(host) is loop


def test_token_ok_compares_scheme_and_value():
    assert token_ok(f"Bearer {TOKEN}", TOKEN) and token_ok(f"bearer {TOKEN}", TOKEN)
    assert not token_ok(None, TOKEN) and not token_ok(f"Bearer {TOKEN}x", TOKEN)
    assert token_ok(None, None)


def test_serve_refuses_non_loopback_without_token(tmp_path, monkeypatch):
    monkeypatch.delenv("CIT_TRIAGE_TOKEN", raising=False)
    res = CliRunner().invoke(cli_app, ["serve", "--host", "0.0.0.0", "--audit-db", str(tmp_path / "a.db")])
    assert res.exit_code == 2
    assert "refusing to listen on 0.0.0.0 without a token" in res.output
    assert not (tmp_path / "a.db").exists()


def test_serve_refuses_an_empty_token_file(tmp_path):
    (tmp_path / "tok").write_text("\n")
    res = CliRunner().invoke(cli_app, ["serve", "--host", "0.0.0.0", "--token-file", str(tmp_path / "tok")])
    assert res.exit_code == 2
    assert "is empty" in res.output
