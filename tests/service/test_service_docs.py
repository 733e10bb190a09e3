"""/docs: the API documentation page, served from local files (nothing from a CDN)."""

import re


def test_docs_page_loads_only_local_assets(make_client):
    client = make_client(token="a-token-for-the-docs-test")  # docs need no token, like /openapi.json
    page = client.get("/docs")
    assert page.status_code == 200 and "text/html" in page.headers["content-type"]
    assert "://" not in page.text
    urls = re.findall(r"""(?:src|href|url)\s*[:=]\s*['"]([^'"]+)['"]""", page.text)
    assert urls and all(u.startswith("/") for u in urls), urls
    for url in urls:
        assert client.get(url).status_code == 200, url
    assert client.get("/docs/assets/swagger-ui-bundle.js").headers["content-type"].startswith(
        ("application/javascript", "text/javascript"))
