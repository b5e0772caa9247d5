"""Helpers for the web tests: the app over a temporary SQLite store, users, signed-in HTTP clients,
the app served by uvicorn on a free loopback port (in a thread), and Debian's Chromium through
Playwright (headless, one browser per test module)."""

from __future__ import annotations

import contextlib
import os
import re
import socket
import threading
import time
from pathlib import Path

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-background-networking", "--disable-gpu", "--no-first-run",
                 "--disable-component-update", "--disable-sync"]
PASSWORD = "correct horse battery"
HTML = {"accept": "text/html"}
_CSRF = re.compile(r'<meta name="csrf-token" content="([^"]+)">')


def make_app(folder: Path):
    from dlexam.web.app import create_app

    return create_app(str(Path(folder) / "store.sqlite3"))


def add_user(app, name: str, password: str = PASSWORD, staff: bool = False):
    from dlexam.store import users
    from dlexam.web.auth import hash_password

    return users.add(app.state.store, name, hash_password(password), staff=staff)


def screenshots(default: Path) -> Path:
    """Where the browser tests put their screenshots: $DLEXAM_SCREENSHOTS, else `default` (made if missing)."""
    folder = Path(os.environ.get("DLEXAM_SCREENSHOTS") or default)
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def csrf_of(html: str) -> str:
    found = _CSRF.search(html)
    assert found, "the page has no CSRF token"
    return found.group(1)


def client(app):
    from fastapi.testclient import TestClient

    return TestClient(app)


def sign_in(http, name: str, password: str = PASSWORD) -> str:
    """Sign `http` (a TestClient) in as `name`; returns the session's CSRF token."""
    token = csrf_of(http.get("/signin", headers=HTML).text)
    response = http.post("/signin", data={"csrf": token, "name": name, "password": password},
                         follow_redirects=False)
    assert response.status_code == 303, response.text
    return csrf_of(http.get("/", headers=HTML).text)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextlib.contextmanager
def served(app):
    """The app served by uvicorn in a thread on a free loopback port; yields its base URL."""
    import uvicorn

    port = free_port()
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, name="uvicorn", daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            raise RuntimeError("uvicorn did not start")
        time.sleep(0.05)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(10)


@contextlib.contextmanager
def chromium():
    """Debian's Chromium, headless, through Playwright (no download: the system's browser)."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            browser.close()


def browser_sign_in(page, base: str, name: str, password: str = PASSWORD) -> None:
    page.goto(f"{base}/signin")
    page.fill("input[name=name]", name)
    page.fill("input[name=password]", password)
    page.click("button[type=submit]")
    page.wait_for_url(f"{base}/")
