"""The pages as HTML: who is logged in and the model are rendered by the server, page data is JSON the
browser never runs, every response carries the security headers (FastAPI's /docs keeps its own), and
static files are served with their types, revalidated on each use."""

from __future__ import annotations

import json
import re

from tests.web.conftest import Web, register
from web.routes.pages import SUGGESTIONS
from web.security import CONTENT_SECURITY_POLICY


def page_data(html: str) -> dict[str, object]:
    found = re.search(r'<script type="application/json" id="page-data">(.*?)</script>', html, re.S)
    assert found, "the page carries its data"
    return dict(json.loads(found.group(1)))


async def test_the_chat_page_for_an_anonymous_visitor(web: Web) -> None:
    response = await web.client.get("/")
    assert response.status_code == 200 and response.headers["content-type"].startswith("text/html")
    html = response.text
    data = page_data(html)
    assert data["user"] is None and data["conversation_id"] is None
    assert data["today"] == web.services.clock.today().isoformat()
    assert [s["question"] for s in data["suggestions"]] == [s.question for s in SUGGESTIONS]  # type: ignore[union-attr]
    assert "Log in to order deep research reports" in html and 'href="/research"' not in html
    assert 'type="module" src="/static/js/chat.js"' in html
    assert f'max="{data["today"]}"' in html  # no analysis date after today can be picked
    # no inline script: the only <script> elements load a file or hold JSON
    for tag in re.findall(r"<script[^>]*>", html):
        assert 'src="/static/' in tag or 'type="application/json"' in tag, tag
    assert "on" + "click=" not in html and "style=" not in html


async def test_a_logged_in_user_sees_their_account_and_the_way_to_deep_research(web: Web) -> None:
    await register(web.client, "ann@example.com")
    html = (await web.client.get("/")).text
    assert page_data(html)["user"] == {"email": "ann@example.com"}
    assert 'href="/research"' in html and "Log in to order deep research reports" not in html
    assert 'href="/keys"' in html and "Log out" in html
    keys = await web.client.get("/keys")
    assert keys.status_code == 200 and 'src="/static/js/keys.js"' in keys.text


async def test_keys_page_sends_anonymous_visitors_to_log_in(web: Web) -> None:
    response = await web.client.get("/keys", follow_redirects=False)
    assert response.status_code == 303 and response.headers["location"] == "/login?next=/keys"
    login = await web.client.get("/login")
    assert login.status_code == 200 and 'id="auth-form"' in login.text


async def test_conversation_and_share_pages_take_their_id_from_the_path(web: Web) -> None:
    chat = await web.client.get("/c/abc123")
    assert page_data(chat.text)["conversation_id"] == "abc123"
    shared = await web.client.get("/shared/tok_EN-1")
    assert page_data(shared.text)["share_token"] == "tok_EN-1"
    assert (await web.client.get("/c/not%20an%20id")).status_code == 400
    assert (await web.client.get("/shared/%3Cscript%3E")).status_code == 400


async def test_every_response_carries_the_security_headers(web: Web) -> None:
    for path in ("/", "/login", "/api/models", "/static/js/chat.js", "/healthz"):
        response = await web.client.get(path)
        assert response.headers["content-security-policy"] == CONTENT_SECURITY_POLICY, path
        assert response.headers["x-content-type-options"] == "nosniff"
        assert response.headers["x-frame-options"] == "DENY"
    policy = CONTENT_SECURITY_POLICY
    assert "script-src 'self'" in policy and "'unsafe-inline'" not in policy and "'unsafe-eval'" not in policy
    assert "frame-ancestors 'none'" in policy and "object-src 'none'" in policy
    docs = await web.client.get("/docs")  # Swagger UI needs its CDN and inline script: left alone
    assert docs.status_code == 200 and "content-security-policy" not in docs.headers


async def test_static_files_have_their_types_and_are_revalidated(web: Web) -> None:
    expected = {
        "/static/js/chat.js": "text/javascript",
        "/static/vendor/dompurify/purify.es.mjs": "text/javascript",
        "/static/css/base.css": "text/css",
        "/static/img/logo.svg": "image/svg+xml",
    }
    for path, kind in expected.items():
        response = await web.client.get(path)
        assert response.status_code == 200, path
        assert response.headers["content-type"].startswith(kind), path
        assert response.headers["cache-control"] == "no-cache"
    assert (await web.client.get("/static/%2e%2e/copilot/config.py")).status_code == 404


async def test_static_files_revalidate_with_their_etag(web: Web) -> None:
    first = await web.client.get("/static/js/api.js")
    again = await web.client.get("/static/js/api.js", headers={"If-None-Match": first.headers["etag"]})
    assert again.status_code == 304 and again.content == b""
