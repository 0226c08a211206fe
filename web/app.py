"""The editor's web page and JSON API (`sdg-tags serve`): paste HTML, upload a file or give a URL; see the result.

Routes: `GET /` the form; `POST /` the form's result, rendered on the server (works without JavaScript);
`POST /api/check` the page object of `sdg-tags check --format json`; `GET /api/rules` the rule table;
`GET /docs` the API described from its OpenAPI document (`/openapi.json`), rendered on the server so it needs
no script from elsewhere. Page-derived text only reaches HTML through Jinja2's autoescaping, and the
Content-Security-Policy forbids inline scripts.
"""

from __future__ import annotations

import json
import re
from importlib import resources
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, JSONResponse, Response
from fastapi.staticfiles import StaticFiles
from fastapi.templating import Jinja2Templates
from jinja2 import Environment, FileSystemLoader, select_autoescape
from markupsafe import Markup, escape
from pydantic import BaseModel, ConfigDict, Field, field_validator
from sdg_tags.validators.models import PageResult
from sdg_tags.web.checking import CheckedPage, CheckRefused, PageChecker, WebSettings
from sdg_tags.web.request_limits import BodySizeLimit, LoadLimit, SecurityHeaders
from sdg_tags.web.result_view import build_view
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import UploadFile
from starlette.exceptions import HTTPException as StarletteHTTPException

from sdg_tags.sizes import MEBIBYTE

PACKAGE_DIR = resources.files("sdg_tags.web")
FORM_FIELDS = ("pasted HTML", "a file", "a URL")
_CODE_SPAN = re.compile(r"`([^`]+)`")


class CheckRequest(BaseModel):
    """Body of `POST /api/check`: exactly one of `html` and `url`."""

    model_config = ConfigDict(extra="forbid")

    html: str | None = Field(default=None, description="The page's HTML source")
    url: str | None = Field(default=None, description="An http(s) address for the server to fetch")
    render: bool = Field(default=False, description="Also run the page's JavaScript in headless Chromium")
    suggest: bool = Field(default=False, description="Include `suggested_tags` (like `check --suggest`)")

    @field_validator("html", "url")
    @classmethod
    def _unicode_text(cls, text: str | None) -> str | None:
        # JSON may escape a lone surrogate (`"\ud800"`); such a string is no Unicode text and cannot be encoded.
        if text is not None:
            try:
                text.encode("utf-8")
            except UnicodeEncodeError as exc:
                raise ValueError(
                    f"not valid Unicode text (a lone surrogate at character {exc.start})"
                ) from None
        return text


class ErrorBody(BaseModel):
    """What a refused or failed request answers (4xx, or 503 when rendering is unavailable)."""

    error: str
    fetch_status: str | None = None


def code_spans(text: str | None) -> Markup:
    """Escape `text`, then show its `back-quoted` parts (rule messages and hints use them) as <code>."""
    escaped = str(escape(text or ""))
    return Markup(_CODE_SPAN.sub(r"<code>\1</code>", escaped))  # already escaped: backquotes are not markup


def _templates() -> Jinja2Templates:
    environment = Environment(
        loader=FileSystemLoader(str(PACKAGE_DIR / "templates")),
        autoescape=select_autoescape(default=True, default_for_string=True),
        trim_blocks=True,
        lstrip_blocks=True,
    )
    environment.filters["code_spans"] = code_spans
    return Jinja2Templates(env=environment)


def _validation_message(exc: RequestValidationError) -> str:
    parts = []
    for error in exc.errors():
        if error.get("type") == "json_invalid":
            parts.append("the body is not valid JSON")
            continue
        where = ".".join(str(part) for part in error.get("loc", ()) if part != "body") or "body"
        parts.append(f"{where}: {error.get('msg', 'invalid')}")
    return (
        "Invalid request: "
        + "; ".join(parts)
        + ' (send JSON such as {"html": "<html>…</html>"} or {"url": "https://…"})'
    )


def _http_error_message(exc: StarletteHTTPException) -> str:
    if exc.status_code == 400:
        # FastAPI's answer to a body its JSON parser gave up on (nested too deeply, not UTF-8).
        return (
            "Invalid request: the body could not be read as JSON "
            '(send JSON such as {"html": "<html>…</html>"} or {"url": "https://…"})'
        )
    return str(exc.detail)


def create_app(settings: WebSettings | None = None) -> FastAPI:
    """The FastAPI application with `settings` (defaults: guarded URL fetches, 5 MB bodies)."""
    settings = settings or WebSettings()
    checker = PageChecker(settings)
    templates = _templates()
    app = FastAPI(
        title="sdg-tags",
        summary="Check the Single Digital Gateway metadata tags of a page (IR 2020/1121 Art 2, Annex I).",
        version="1",
        docs_url=None,
        redoc_url=None,
    )
    app.mount("/static", StaticFiles(directory=str(PACKAGE_DIR / "static")), name="static")

    def html_error_page(message: str, status_code: int = 413) -> str:
        return templates.get_template("error.html").render(message=message, status_code=status_code)

    # Added innermost first: a body over the size limit is refused (413) before it counts against the load.
    app.add_middleware(LoadLimit, budget=checker.budget, html_page=html_error_page)
    app.add_middleware(BodySizeLimit, limit=settings.max_upload_bytes, html_page=html_error_page)
    app.add_middleware(SecurityHeaders)

    @app.exception_handler(RequestValidationError)
    async def invalid_request(request: Request, exc: RequestValidationError) -> JSONResponse:
        return JSONResponse({"error": _validation_message(exc)}, status_code=422)

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException) -> Response:
        """Routing and parsing errors (404, 405, an unreadable body) in the documented shapes."""
        message = _http_error_message(exc)
        if request.url.path.startswith("/api/"):
            return JSONResponse({"error": message}, status_code=exc.status_code, headers=exc.headers)
        return HTMLResponse(html_error_page(message, exc.status_code), exc.status_code, headers=exc.headers)

    def page(request: Request, status_code: int = 200, **context: Any) -> HTMLResponse:
        context.setdefault("form", {"html": "", "url": "", "render": False})
        context.setdefault("error", None)
        context.setdefault("view", None)
        context.setdefault("checked", None)
        context["allow_private"] = settings.allow_private
        context["max_upload_mb"] = f"{settings.max_upload_bytes / MEBIBYTE:g}"
        return templates.TemplateResponse(request, "index.html", context, status_code=status_code)

    @app.get("/", response_class=HTMLResponse, include_in_schema=False)
    def form_page(request: Request) -> HTMLResponse:
        return page(request)

    @app.post("/", response_class=HTMLResponse, include_in_schema=False)
    async def form_result(request: Request) -> HTMLResponse:
        form = await request.form(max_files=1, max_fields=10, max_part_size=settings.max_upload_bytes)
        pasted = str(form.get("html") or "")
        url = str(form.get("url") or "").strip()
        render = form.get("render") in ("1", "on", "true")
        upload = form.get("file")
        upload_body = b""
        upload_name = ""
        if isinstance(upload, UploadFile) and upload.filename:
            upload_body = await upload.read()
            upload_name = upload.filename
        values = {"html": pasted, "url": url, "render": render}
        given = [
            name
            for name, present in zip(FORM_FIELDS, (pasted.strip(), upload_name, url), strict=True)
            if present
        ]
        if len(given) != 1:
            message = (
                "Paste HTML, choose a file, or enter a URL — one of them."
                if not given
                else f"You gave {' and '.join(given)}; give only one of them (clear the others) and check again."
            )
            return page(request, 400, form=values, error=message)
        try:
            if url:
                checked = await run_in_threadpool(checker.check_url, url, render=render)
            elif upload_name:
                checked = await run_in_threadpool(
                    checker.check_html, upload_body, target=upload_name, render=render
                )
            else:
                checked = await run_in_threadpool(
                    checker.check_html,
                    pasted.encode("utf-8"),
                    target="pasted HTML",
                    render=render,
                    headers={"content-type": "text/html; charset=utf-8"},
                )
        except CheckRefused as refused:
            response = page(request, refused.status_code, form=values, error=refused.message)
            if refused.retry_after is not None:
                response.headers["retry-after"] = str(refused.retry_after)
            return response
        return page(request, form=values, checked=checked, view=_view(checked, settings))

    @app.post(
        "/api/check",
        summary="Check one page",
        description="Validate pasted HTML (`html`) or fetch and validate a URL (`url`); `render` also runs "
        "the page's JavaScript. The answer is the page object of `sdg-tags check --format json`.",
        response_model=PageResult,
        responses={
            400: {
                "model": ErrorBody,
                "description": "Not exactly one of html and url, or not an http(s) URL",
            },
            403: {
                "model": ErrorBody,
                "description": "The URL resolves to an address the server does not fetch",
            },
            413: {"model": ErrorBody, "description": "The request body is larger than the limit"},
            422: {
                "model": ErrorBody,
                "description": "Invalid JSON, or the page could not be fetched or rendered",
            },
            503: {"model": ErrorBody, "description": "Rendering is not available or busy"},
        },
    )
    async def api_check(body: CheckRequest) -> Response:
        if (body.html is None) == (body.url is None):
            return JSONResponse(
                {"error": 'Give exactly one of "html" and "url".'},
                status_code=400,
            )
        try:
            if body.url is not None:
                checked = await run_in_threadpool(
                    checker.check_url, body.url, render=body.render, suggest=body.suggest
                )
            else:
                checked = await run_in_threadpool(
                    checker.check_html,
                    (body.html or "").encode("utf-8"),
                    target="-",
                    render=body.render,
                    suggest=body.suggest,
                    headers={"content-type": "text/html; charset=utf-8"},
                )
        except CheckRefused as refused:
            payload: dict[str, Any] = {"error": refused.message}
            if refused.fetch_status:
                payload["fetch_status"] = refused.fetch_status
            headers = {"retry-after": str(refused.retry_after)} if refused.retry_after is not None else None
            return JSONResponse(payload, status_code=refused.status_code, headers=headers)
        return JSONResponse(checked.result.model_dump(mode="json"))

    @app.get(
        "/api/rules",
        summary="The rule table",
        description="Every rule with its severity, family, trigger, legal reference and fix hint; the same "
        "document as `sdg-tags rules --json`.",
    )
    def api_rules() -> JSONResponse:
        from sdg_tags.validators.rules import RULES
        from sdg_tags.validators.rules_doc import render_json

        return JSONResponse(json.loads(render_json(RULES.values())))

    @app.get("/rules", response_class=HTMLResponse, include_in_schema=False)
    def rule_list(request: Request) -> HTMLResponse:
        from sdg_tags.validators.rules import RULES
        from sdg_tags.validators.rules_doc import rules_in_order

        return templates.TemplateResponse(
            request, "rules.html", {"rules": rules_in_order(RULES.values()), "rule": None}
        )

    @app.get("/rules/{rule_id}", response_class=HTMLResponse, include_in_schema=False)
    def rule_page(request: Request, rule_id: str) -> HTMLResponse:
        """One rule as `sdg-tags rules RULE` shows it: metadata, failing and passing example."""
        from sdg_tags.validators.rules import RULES
        from sdg_tags.validators.rules.table import GROUPS

        rule = RULES.get(rule_id)
        if rule is None:
            context: dict[str, Any] = {"rule": None, "rules": None, "missing": rule_id}
            return templates.TemplateResponse(request, "rules.html", context, status_code=404)
        context = {"rule": rule, "rules": None, "family": f"{rule.group}. {GROUPS[rule.group]}"}
        return templates.TemplateResponse(request, "rules.html", context)

    @app.get("/docs", response_class=HTMLResponse, include_in_schema=False)
    def api_docs(request: Request) -> HTMLResponse:
        schema = app.openapi()
        operations = [
            {
                "method": method.upper(),
                "path": path,
                "summary": operation.get("summary", ""),
                "description": operation.get("description", ""),
                "request": operation.get("requestBody", {})
                .get("content", {})
                .get("application/json", {})
                .get("schema"),
                "responses": operation.get("responses", {}),
            }
            for path, methods in schema.get("paths", {}).items()
            for method, operation in methods.items()
        ]
        return templates.TemplateResponse(
            request,
            "docs.html",
            {
                "operations": operations,
                "schemas": schema.get("components", {}).get("schemas", {}),
                "dump": lambda value: json.dumps(value, indent=2, ensure_ascii=False),
            },
        )

    return app


def _view(checked: CheckedPage, settings: WebSettings) -> Any:
    return build_view(checked.result, checked.source, max_source_lines=settings.max_source_lines)
