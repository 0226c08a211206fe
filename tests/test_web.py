"""`sdg-tags serve` over real HTTP: a uvicorn subprocess on 127.0.0.1 (ephemeral port), stopped by PID.

The API must answer exactly the page object of `sdg-tags check --format json`; refusals and failures answer
4xx with `{"error": …}`; page-derived text reaches HTML only escaped. Browser-driven tests are in tests/browser.
"""

from __future__ import annotations

import json
from collections.abc import Iterator

import httpx
import pytest
from sdg_tags.fetcher.guard import ALLOW_HINT
from sdg_tags.validators.engine import check_page
from sdg_tags.validators.models import PageResult, ValidationOptions
from sdg_tags.validators.rules import RULES
from sdg_tags.validators.rules_doc import render_json
from sdg_tags.web.request_limits import CONTENT_SECURITY_POLICY, too_large_message

from sdg_tags.sizes import MAX_PAGE_BYTES
from tests.browser.sample_pages import EXAMPLE_1, GR_LOWER_CASE, HOSTILE
from tests.browser.web_server import LocalSite, WebServer

LIMIT = MAX_PAGE_BYTES  # the default request-body limit of serve


@pytest.fixture(scope="module")
def server() -> Iterator[WebServer]:
    with WebServer() as running:
        yield running


@pytest.fixture(scope="module")
def private_server() -> Iterator[WebServer]:
    with WebServer("--allow-private") as running:
        yield running


@pytest.fixture(scope="module")
def site() -> Iterator[LocalSite]:
    pages = {
        "/permis": (EXAMPLE_1.encode(), "text/html; charset=utf-8"),
        "/report.pdf": (b"%PDF-1.4", "application/pdf"),
        # iso-8859-1 means windows-1252 to browsers: byte 0x80 is the euro sign (validators.extraction).
        "/latin1": (LATIN1_PAGE, "text/html; charset=iso-8859-1"),
    }
    with LocalSite(pages) as local:
        yield local


LATIN1_PAGE = (
    b'<html lang="fr"><head><meta name="sdg-tag" content="sdg"><meta name="DC.ISO3166" content="BE">'
    b'<meta name="DC.Service" content="information"><meta name="policy-code" content="C2">'
    b'<meta name="DC.Policy" content="Permis \x80 10"></head><body></body></html>'
)


def post_json(server: WebServer, body: object) -> httpx.Response:
    return httpx.post(f"{server.base_url}/api/check", json=body, timeout=60)


def expected_page_object(
    html: str, *, target: str = "-", url: str | None = None, suggest: bool = False
) -> dict:
    headers = {"content-type": "text/html; charset=utf-8"}
    result = check_page(
        html.encode(), url=url, headers=headers, target=target, options=ValidationOptions(suggest=suggest)
    )
    return result.model_dump(mode="json")


# --- API ---------------------------------------------------------------------------------------------------


def test_api_check_of_guidance_example_1_is_the_check_json_page_object(server: WebServer) -> None:
    response = post_json(server, {"html": EXAMPLE_1})
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/json"
    body = response.json()
    assert body == expected_page_object(EXAMPLE_1)
    assert body["verdict"] == "compliant"
    assert body["findings"] == []
    assert body["page_types"] == ["information"]
    assert set(body) == set(PageResult.model_fields)
    assert body["suggested_tags"] is None


def test_api_check_reports_gr_and_lower_case_codes(server: WebServer) -> None:
    body = post_json(server, {"html": GR_LOWER_CASE, "suggest": True}).json()
    assert body == expected_page_object(GR_LOWER_CASE, suggest=True)
    assert body["verdict"] == "non-compliant"
    assert [(f["rule"], f["severity"], f["line"]) for f in body["findings"]] == [
        ("policy-name-missing", "info", None),
        ("country-gr-instead-of-el", "error", 8),
        ("location-case", "warning", 9),
        ("policy-code-case", "warning", 11),
    ]
    assert '<meta name="DC.ISO3166" content="EL">' in body["suggested_tags"]


@pytest.mark.parametrize(
    ("url", "host", "address"),
    [
        ("http://127.0.0.1:{port}/permis", "127.0.0.1", "127.0.0.1"),
        ("http://localhost:{port}/permis", "localhost", "127.0.0.1"),
    ],
)
def test_api_refuses_loopback_urls_without_allow_private(
    server: WebServer, site: LocalSite, url: str, host: str, address: str
) -> None:
    site.requests.clear()
    response = post_json(server, {"url": url.format(port=site.port)})
    assert response.status_code == 403
    assert response.json() == {
        "error": f"Refused to connect to {host} ({address}): it is a loopback address (this machine); {ALLOW_HINT}.",
        "fetch_status": "out-of-scope",
    }
    assert site.requests == []


def test_api_fetches_a_local_url_with_allow_private(private_server: WebServer, site: LocalSite) -> None:
    url = f"{site.base}/permis"
    response = post_json(private_server, {"url": url})
    assert response.status_code == 200
    body = response.json()
    assert body["verdict"] == "compliant"
    assert body["target"] == url
    assert body["url"] == url
    assert site.requests[-1] == "GET /permis"


def test_serve_decodes_a_fetched_page_as_check_and_the_crawler_do(
    private_server: WebServer, site: LocalSite
) -> None:
    body = post_json(private_server, {"url": f"{site.base}/latin1"}).json()
    assert body["tags"]["DC.Policy"]["raw"] == "Permis € 10"
    headers = {"content-type": "text/html; charset=iso-8859-1"}
    assert body["tags"] == check_page(LATIN1_PAGE, headers=headers).model_dump(mode="json")["tags"]


@pytest.mark.parametrize(
    ("path", "error"),
    [
        ("/missing", "Could not check {url}: HTTP 404 Not Found (http-4xx)."),
        (
            "/report.pdf",
            "Could not check {url}: the server sent application/pdf, not an HTML page (not-html).",
        ),
    ],
)
def test_api_answers_422_when_the_url_cannot_be_checked(
    private_server: WebServer, site: LocalSite, path: str, error: str
) -> None:
    url = f"{site.base}{path}"
    response = post_json(private_server, {"url": url})
    assert response.status_code == 422
    assert response.json()["error"] == error.format(url=url)


@pytest.mark.parametrize(
    ("body", "status", "error"),
    [
        ({}, 400, 'Give exactly one of "html" and "url".'),
        (
            {"html": "<html></html>", "url": "https://example.org/"},
            400,
            'Give exactly one of "html" and "url".',
        ),
        (
            {"url": "ftp://example.org/x"},
            400,
            "'ftp://example.org/x' is not a web address; enter one that starts with http:// or https://",
        ),
        (
            {"html": "<html></html>", "colour": "blue"},
            422,
            'Invalid request: colour: Extra inputs are not permitted (send JSON such as {"html": "<html>…</html>"} or {"url": "https://…"})',
        ),
        (
            {"html": 42},
            422,
            'Invalid request: html: Input should be a valid string (send JSON such as {"html": "<html>…</html>"} or {"url": "https://…"})',
        ),
    ],
)
def test_api_bad_requests_answer_one_error(server: WebServer, body: object, status: int, error: str) -> None:
    response = post_json(server, body)
    assert response.status_code == status
    assert response.json() == {"error": error}


def test_api_invalid_json_answers_422(server: WebServer) -> None:
    response = httpx.post(
        f"{server.base_url}/api/check", content=b'{"html": ', headers={"content-type": "application/json"}
    )
    assert response.status_code == 422
    assert response.json() == {
        "error": 'Invalid request: the body is not valid JSON (send JSON such as {"html": "<html>…</html>"} or {"url": "https://…"})'
    }


def test_api_body_over_the_limit_answers_413(server: WebServer) -> None:
    response = post_json(server, {"html": "x" * (LIMIT + 1)})
    assert response.status_code == 413
    assert response.json() == {"error": too_large_message(LIMIT)}


def test_a_streamed_body_over_the_limit_answers_413(server: WebServer) -> None:
    """Without Content-Length (chunked), the limit is enforced while reading."""

    def chunks() -> Iterator[bytes]:
        yield b'{"html": "'
        for _ in range(6):
            yield b"y" * 1_000_000
        yield b'"}'

    response = httpx.post(
        f"{server.base_url}/api/check",
        content=chunks(),
        headers={"content-type": "application/json"},
        timeout=60,
    )
    assert response.status_code == 413
    assert response.json() == {"error": too_large_message(LIMIT)}


def test_api_rules_is_the_rules_json_document(server: WebServer) -> None:
    response = httpx.get(f"{server.base_url}/api/rules")
    assert response.status_code == 200
    assert response.json() == json.loads(render_json(RULES.values()))


def test_openapi_document_and_docs_page(server: WebServer) -> None:
    schema = httpx.get(f"{server.base_url}/openapi.json").json()
    assert sorted(schema["paths"]) == ["/api/check", "/api/rules"]
    assert sorted(schema["paths"]["/api/check"]["post"]["responses"]) == [
        "200",
        "400",
        "403",
        "413",
        "422",
        "503",
    ]
    docs = httpx.get(f"{server.base_url}/docs")
    assert docs.status_code == 200
    assert '<h2 id="op-1"><code>POST /api/check</code></h2>' in docs.text
    assert "<code>GET /api/rules</code>" in docs.text
    assert "<script" not in docs.text  # the docs need no script, so the CSP holds there too


# --- the HTML form, without a browser ----------------------------------------------------------------------


def test_form_page_is_accessible_markup_with_security_headers(server: WebServer) -> None:
    response = httpx.get(f"{server.base_url}/")
    assert response.status_code == 200
    assert response.headers["content-security-policy"] == CONTENT_SECURITY_POLICY
    assert "'unsafe-inline'" not in CONTENT_SECURITY_POLICY
    assert response.headers["x-content-type-options"] == "nosniff"
    text = response.text
    assert text.startswith('<!DOCTYPE html>\n<html lang="en">')
    for field in ("html", "file", "url", "render"):
        assert f'<label for="{field}">' in text
        assert f'id="{field}"' in text
    assert '<form class="check-form" method="post" action="/" enctype="multipart/form-data">' in text
    assert '<script src="/static/copy.js" defer></script>' in text
    assert text.count("<h1>") == 1


def test_form_post_renders_the_result_on_the_server(server: WebServer) -> None:
    response = httpx.post(f"{server.base_url}/", data={"html": GR_LOWER_CASE})
    assert response.status_code == 200
    text = response.text
    assert "<title>non-compliant – SDG tag check</title>" in text
    assert '<p class="verdict verdict-non-compliant" id="verdict">' in text
    assert '<span class="line flagged" id="L8" title="country-gr-instead-of-el">' in text
    assert '<span class="line flagged" id="L9" title="location-case">' in text
    assert '<span class="line flagged" id="L11" title="policy-code-case">' in text
    assert '<span class="line" id="L10">' in text
    assert "<li>GR: Greece, but the gateway writes EL</li>" in text
    assert (
        "<li>c2: Annex I C2, acquiring and renewing a driving licence (area C: Vehicles in the Union)</li>"
        in text
    )
    assert 'data-rule="country-gr-instead-of-el"' in text
    assert '<a href="#L8">line 8, column 3</a>' in text
    assert "&lt;meta name=&#34;DC.ISO3166&#34; content=&#34;EL&#34;&gt;" in text  # the suggested block


def test_form_upload_is_checked_under_its_file_name(server: WebServer) -> None:
    response = httpx.post(
        f"{server.base_url}/", files={"file": ("permis.html", EXAMPLE_1.encode(), "text/html")}
    )
    assert response.status_code == 200
    assert '<p class="verdict verdict-compliant" id="verdict">' in response.text
    assert "<dt>Checked</dt><dd>permis.html</dd>" in response.text


def test_form_upload_over_the_limit_answers_413_with_a_page(server: WebServer) -> None:
    response = httpx.post(
        f"{server.base_url}/", files={"file": ("big.html", b"<html>" + b" " * LIMIT, "text/html")}, timeout=60
    )
    assert response.status_code == 413
    assert response.headers["content-type"] == "text/html; charset=utf-8"
    assert "The request is larger than 5 MB." in response.text
    assert response.headers["content-security-policy"] == CONTENT_SECURITY_POLICY


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({}, "Paste HTML, choose a file, or enter a URL — one of them."),
        (
            {"html": EXAMPLE_1, "url": "https://www.example.be/"},
            "You gave pasted HTML and a URL; give only one of them (clear the others) and check again.",
        ),
    ],
)
def test_form_asks_for_exactly_one_input(server: WebServer, data: dict[str, str], message: str) -> None:
    response = httpx.post(f"{server.base_url}/", data=data)
    assert response.status_code == 400
    assert f"<p>{message}</p>" in response.text


def test_form_refusal_is_one_clear_message(server: WebServer, site: LocalSite) -> None:
    response = httpx.post(f"{server.base_url}/", data={"url": f"http://localhost:{site.port}/permis"})
    assert response.status_code == 403
    assert (
        "<p>Refused to connect to localhost (127.0.0.1): it is a loopback address (this machine); an operator "
        "can allow such addresses with <code>sdg-tags serve --allow-private</code>.</p>"
    ) in response.text
    assert f'value="http://localhost:{site.port}/permis"' in response.text  # the input is kept for correction


def test_hostile_tag_values_are_escaped_everywhere(server: WebServer) -> None:
    text = httpx.post(f"{server.base_url}/", data={"html": HOSTILE}).text
    for raw in ("<script>alert", "<img src=x", "<svg onload", "</textarea><script>"):
        assert raw not in text
    assert text.count("<script") == 1  # only our own copy.js
    assert "&lt;img src=x onerror=alert(1)&gt;" in text
    assert "&lt;/textarea&gt;&lt;script&gt;alert(2)&lt;/script&gt;" in text


def test_code_spans_escape_before_marking_code() -> None:
    from sdg_tags.web.app import code_spans

    assert str(code_spans("Write `<b>C2</b>` or `EL` & <i>x</i>")) == (
        "Write <code>&lt;b&gt;C2&lt;/b&gt;</code> or <code>EL</code> &amp; &lt;i&gt;x&lt;/i&gt;"
    )
