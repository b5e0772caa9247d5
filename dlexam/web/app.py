"""The web app: `create_app(store_url)` builds it over one Store (one engine, shared by all requests).

Pages are server-rendered (Jinja2) with a little JavaScript; FastAPI runs the plain `def` routes in
its thread pool, so a slow grade does not block other pages. Every POST is checked for the CSRF
token (auth.check_csrf), pages answer with a strict Content-Security-Policy (scripts only from
/static), and an unknown or someone else's id is a 404 either way.
"""

from __future__ import annotations

import importlib
import os
from contextlib import asynccontextmanager
from pathlib import Path

from fastapi import Depends, FastAPI, Request
from fastapi.responses import JSONResponse, RedirectResponse, Response
from fastapi.staticfiles import StaticFiles
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.middleware.sessions import SessionMiddleware

from dlexam.errors import InputError
from dlexam.web import auth
from dlexam.web.render import page

STATIC = Path(__file__).resolve().parent / "static"
# /practice/code/{key} before /practice/{name}/{seed}
ROUTERS = ("accounts", "practice_code", "practice", "exam", "results", "progress", "preview", "code", "staff")
SESSION_DAYS = 14
HTTPS_VAR = "DLEXAM_HTTPS"     # set to 1 when served over TLS (a reverse proxy): the cookie is sent only there
CSP = ("default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data: blob:; "
       "font-src 'self' data:; connect-src 'self'; frame-ancestors 'none'; base-uri 'self'; form-action 'self'")


def create_app(store_url: str | None = None) -> FastAPI:
    """The app over the store at `store_url` (a path or SQLAlchemy URL; default: the environment's)."""
    from dlexam.store import Store

    store = Store(store_url)

    @asynccontextmanager
    async def lifespan(app: FastAPI):
        yield
        store.close()

    app = FastAPI(title="dlexam", lifespan=lifespan, dependencies=[Depends(auth.check_csrf)],
                  docs_url=None, redoc_url=None, openapi_url=None)
    app.state.store = store
    app.state.limiter = auth.LoginLimiter()
    app.state.exams = {}            # exam id -> ExamSession (keeps code answers grading in the background)
    app.add_middleware(SessionMiddleware, secret_key=auth.secret_key(store), session_cookie="dlexam_session",
                       max_age=SESSION_DAYS * 86400, same_site="lax",
                       https_only=os.environ.get(HTTPS_VAR, "") not in ("", "0"))   # behind TLS: Secure cookie
    app.mount("/static", StaticFiles(directory=STATIC), name="static")
    app.middleware("http")(_security_headers)
    app.add_exception_handler(auth.SignInRequired, _sign_in_first)
    app.add_exception_handler(StarletteHTTPException, _http_error)
    app.add_exception_handler(InputError, _input_error)

    @app.get("/healthz")
    def healthz() -> dict:
        return {"ok": True}

    for name in ROUTERS:
        app.include_router(importlib.import_module(f"dlexam.web.{name}").router)
    return app


async def _security_headers(request: Request, call_next) -> Response:
    response = await call_next(request)
    response.headers.setdefault("Content-Security-Policy", CSP)
    response.headers.setdefault("X-Content-Type-Options", "nosniff")
    response.headers.setdefault("Referrer-Policy", "same-origin")
    if not request.url.path.startswith("/static"):
        response.headers.setdefault("Cache-Control", "no-store")
    return response


def _wants_html(request: Request) -> bool:
    return "text/html" in request.headers.get("accept", "")


async def _sign_in_first(request: Request, exc: auth.SignInRequired) -> Response:
    if request.method == "GET" and _wants_html(request):
        return RedirectResponse(f"/signin?next={request.url.path}", status_code=303)
    return JSONResponse({"detail": "Sign in first."}, status_code=401)


async def _http_error(request: Request, exc: StarletteHTTPException) -> Response:
    detail = exc.detail if isinstance(exc.detail, str) else "Something went wrong."
    if exc.status_code == 404:
        detail = "There is no such page, or it is not yours."
    if _wants_html(request):
        return page(request, "error.html", status=exc.status_code, code=exc.status_code, message=detail,
                    user=_maybe_user(request))
    return JSONResponse({"detail": detail}, status_code=exc.status_code, headers=getattr(exc, "headers", None))


async def _input_error(request: Request, exc: InputError) -> Response:
    if _wants_html(request):
        return page(request, "error.html", status=400, code=400, message=str(exc), user=_maybe_user(request))
    return JSONResponse({"detail": str(exc)}, status_code=400)


def _maybe_user(request: Request):
    try:
        return auth.current_user(request)
    except auth.SignInRequired:
        return None
