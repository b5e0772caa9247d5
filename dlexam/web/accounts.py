"""Sign up, sign in, sign out, and the home page."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import RedirectResponse

from dlexam.errors import InputError
from dlexam.store import users
from dlexam.web import auth
from dlexam.web.render import page

router = APIRouter()


def _next(target: str | None) -> str:
    """Where to go after signing in: a path on this site only (no open redirect)."""
    if target and target.startswith("/") and not target.startswith("//") and "\\" not in target:
        return target
    return "/"


@router.get("/")
def home(request: Request, user: users.User = Depends(auth.current_user)):
    store = auth.student_store(request, user)
    open_exam = store.open_exam()
    due = [p for p in store.progress() if p.due is not None and p.due <= store.now()]
    return page(request, "home.html", user=user, open_exam=open_exam, due=sorted(p.family for p in due))


@router.get("/signin")
def signin_form(request: Request, next: str = "/"):
    return page(request, "signin.html", next=_next(next))


@router.post("/signin")
def signin(request: Request, name: str = Form(""), password: str = Form(""), next: str = Form("/")):
    limiter: auth.LoginLimiter = request.app.state.limiter
    address = request.client.host if request.client else "?"
    if limiter.blocked(name, address):
        return page(request, "signin.html", status=429, next=_next(next), name=name,
                    error="Too many failed sign-ins: wait a few minutes, then try again.")
    user = auth.authenticate(request.app.state.store, name, password)
    if user is None:
        limiter.failed(name, address)
        return page(request, "signin.html", status=401, next=_next(next), name=name,
                    error="That name and password do not match an account.")
    limiter.succeeded(name)
    auth.sign_in(request, user)
    return RedirectResponse(_next(next), status_code=303)


@router.get("/signup")
def signup_form(request: Request):
    return page(request, "signup.html")


@router.post("/signup")
def signup(request: Request, name: str = Form(""), password: str = Form(""), again: str = Form("")):
    problem = auth.check_password(password) or (None if password == again else "The two passwords differ.")
    if problem is None:
        try:
            user = users.add(request.app.state.store, name, auth.hash_password(password))
        except InputError as exc:
            problem = str(exc)
    if problem is not None:
        return page(request, "signup.html", status=400, name=name, error=problem)
    auth.sign_in(request, user)
    return RedirectResponse("/", status_code=303)


@router.post("/signout")
def signout(request: Request):
    auth.sign_out(request)
    return RedirectResponse("/signin", status_code=303)
