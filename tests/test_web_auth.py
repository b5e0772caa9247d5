"""Accounts and the guards: sign up / in / out, argon2 hashes, the signed session, CSRF on every POST,
the login rate limit, the staff guard, the session secret, and `dlexam user add`."""

from __future__ import annotations

import io
import json
import os
import stat

import pytest
from fastapi import Depends
from web_support import HTML, PASSWORD, add_user, client, csrf_of, make_app, sign_in


@pytest.fixture
def app(tmp_path):
    return make_app(tmp_path)


def test_healthz(app):
    with client(app) as http:
        response = http.get("/healthz")
    assert response.status_code == 200 and response.json() == {"ok": True}


def test_pages_need_sign_in(app):
    with client(app) as http:
        page = http.get("/practice", headers=HTML, follow_redirects=False)
        api = http.post("/exam/1/answer", json={"label": "1.1", "text": "a"})
    assert page.status_code == 303 and page.headers["location"] == "/signin?next=/practice"
    assert api.status_code == 403          # no session, so no CSRF token either


def test_sign_up_signs_in_and_stores_only_an_argon2_hash(app):
    from dlexam.store import users

    with client(app) as http:
        token = csrf_of(http.get("/signup", headers=HTML).text)
        response = http.post("/signup", data={"csrf": token, "name": "ann", "password": PASSWORD, "again": PASSWORD},
                             follow_redirects=False)
        home = http.get("/", headers=HTML)
    assert response.status_code == 303
    assert "Hello, ann" in home.text
    stored = users.find(app.state.store, "ann")
    assert stored.password_hash.startswith("$argon2") and PASSWORD not in stored.password_hash
    assert not stored.staff


def test_sign_up_refuses_a_taken_name_and_a_short_password(app):
    add_user(app, "ann")
    with client(app) as http:
        token = csrf_of(http.get("/signup", headers=HTML).text)
        taken = http.post("/signup", data={"csrf": token, "name": "ann", "password": PASSWORD, "again": PASSWORD})
        short = http.post("/signup", data={"csrf": token, "name": "bob", "password": "short", "again": "short"})
    assert taken.status_code == 400 and "taken" in taken.text
    assert short.status_code == 400 and "at least 8" in short.text


def test_wrong_password_then_rate_limit(app):
    add_user(app, "ann")
    with client(app) as http:
        token = csrf_of(http.get("/signin", headers=HTML).text)
        codes = [http.post("/signin", data={"csrf": token, "name": "ann", "password": f"wrong {i}"}).status_code
                 for i in range(6)]
        right_but_blocked = http.post("/signin", data={"csrf": token, "name": "ann", "password": PASSWORD})
    assert codes == [401] * 5 + [429]
    assert right_but_blocked.status_code == 429


def test_sign_out_ends_the_session(app):
    add_user(app, "ann")
    with client(app) as http:
        token = sign_in(http, "ann")
        http.post("/signout", data={"csrf": token})
        after = http.get("/practice", headers=HTML, follow_redirects=False)
    assert after.status_code == 303


def test_every_post_without_the_csrf_token_is_refused(app):
    add_user(app, "ann")
    with client(app) as http:
        token = sign_in(http, "ann")
        posts = [("/signout", {}), ("/practice/concepts/3", {"answer": "a"}), ("/exam/start", {"seed": "7"})]
        refused = [http.post(url, data=data).status_code for url, data in posts]
        wrong = http.post("/practice/concepts/3", data={"answer": "a", "csrf": token[::-1]}).status_code
        fetch = http.post("/exam/1/answer", json={"label": "1.1", "text": "a"}).status_code
        still_in = http.get("/", headers=HTML).status_code
        from dlexam.store import Store, users
        with Store(app.state.store.path) as store:
            saved = users.as_student(store, "ann").attempts()
    assert refused == [403, 403, 403] and wrong == 403 and fetch == 403
    assert still_in == 200 and saved == []


def test_a_tampered_session_cookie_is_not_signed_in(app):
    add_user(app, "ann")
    with client(app) as http:
        sign_in(http, "ann")
        cookie = http.cookies["dlexam_session"]
        http.cookies.clear()
        payload, rest = cookie.split(".", 1)
        http.cookies.set("dlexam_session", payload[:-2] + ("AA" if payload[-2:] != "AA" else "BB") + "." + rest)
        response = http.get("/practice", headers=HTML, follow_redirects=False)
    assert response.status_code == 303


def test_require_staff(app):
    from dlexam.web.auth import require_staff

    @app.get("/staff-only-test")
    def staff_only(user=Depends(require_staff)):
        return {"staff": user.name}

    add_user(app, "ann")
    add_user(app, "prof", staff=True)
    with client(app) as student, client(app) as staff:
        sign_in(student, "ann")
        sign_in(staff, "prof")
        assert student.get("/staff-only-test").status_code == 403
        assert staff.get("/staff-only-test").json() == {"staff": "prof"}


def test_secret_is_made_once_with_mode_0600(tmp_path, monkeypatch):
    from dlexam.web.auth import SECRET_FILE

    monkeypatch.delenv("DLEXAM_SECRET_KEY", raising=False)
    make_app(tmp_path)
    path = tmp_path / SECRET_FILE
    first = path.read_text()
    make_app(tmp_path)
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
    assert path.read_text() == first and len(first) >= 40


def test_secret_from_the_environment(tmp_path, monkeypatch):
    from dlexam.web.auth import SECRET_FILE, secret_key

    monkeypatch.setenv("DLEXAM_SECRET_KEY", "from the environment")
    app = make_app(tmp_path)
    assert secret_key(app.state.store) == "from the environment"
    assert not (tmp_path / SECRET_FILE).exists()


def test_user_add_command(tmp_path, monkeypatch, capsys):
    from dlexam.cli import main
    from dlexam.store import Store, users

    store_file = tmp_path / "store.sqlite3"
    monkeypatch.setenv("DLEXAM_STORE", str(store_file))
    monkeypatch.setattr("sys.stdin", io.StringIO(PASSWORD + "\n"))
    assert main(["user", "add", "prof", "--staff", "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["staff"] is True
    monkeypatch.setattr("sys.stdin", io.StringIO(PASSWORD + "\n"))
    assert main(["user", "add", "prof", "--json"]) == 2
    assert "taken" in json.loads(capsys.readouterr().out)["error"]
    monkeypatch.setattr("sys.stdin", io.StringIO("short\n"))
    assert main(["user", "add", "bob", "--json"]) == 2
    capsys.readouterr()
    with Store(store_file) as store:
        assert users.find(store, "prof").staff and users.find(store, "bob") is None
    app = make_app(tmp_path)
    with client(app) as http:
        sign_in(http, "prof")      # the password read from standard input signs in


def test_dlexam_serve_answers_healthz(tmp_path):
    import subprocess
    import sys
    import time

    import httpx
    from web_support import free_port

    port = free_port()
    env = {**os.environ, "DLEXAM_STORE": str(tmp_path / "store.sqlite3")}
    server = subprocess.Popen([sys.executable, "-m", "dlexam.cli", "serve", "--port", str(port)], env=env,
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                response = httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=2)
                break
            except httpx.TransportError:
                assert server.poll() is None and time.monotonic() < deadline, "dlexam serve did not start"
                time.sleep(0.2)
        assert response.status_code == 200 and response.json() == {"ok": True}
    finally:
        server.terminate()
        server.wait(20)
    assert stat.S_IMODE(os.stat(tmp_path / "web-secret").st_mode) == 0o600


def test_login_limiter_per_address_and_window():
    from dlexam.web.auth import LoginLimiter

    now = [0.0]
    limiter = LoginLimiter(per_name=5, per_address=50, window=300, clock=lambda: now[0])
    for i in range(50):
        assert not limiter.blocked(f"student{i}", "10.0.0.1")
        limiter.failed(f"student{i}", "10.0.0.1")
    assert limiter.blocked("someone else", "10.0.0.1") and not limiter.blocked("someone else", "10.0.0.2")
    now[0] = 301.0
    assert not limiter.blocked("someone else", "10.0.0.1")


def _signin_cookie(folder) -> str:
    folder.mkdir()
    app = make_app(folder)
    with client(app) as http:
        response = http.get("/signin", headers=HTML)      # the session (its CSRF token) starts here
    return response.headers["set-cookie"].lower()


def test_the_session_cookie_is_http_only_and_secure_behind_tls(tmp_path, monkeypatch):
    plain = _signin_cookie(tmp_path / "plain")
    monkeypatch.setenv("DLEXAM_HTTPS", "1")
    tls = _signin_cookie(tmp_path / "tls")
    assert "httponly" in plain and "samesite=lax" in plain and "secure" not in plain
    assert "httponly" in tls and "secure" in tls
