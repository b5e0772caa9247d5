"""The store's database for the queue: one engine per URL for this process, migrated on first use."""

from __future__ import annotations

import threading

from sqlalchemy import Engine

_engines: dict[str, Engine] = {}
_lock = threading.Lock()


def engine(target: str | None = None) -> Engine:
    """The engine of `target` (a path or URL), else of the environment's store (DLEXAM_DATABASE_URL, ...)."""
    from dlexam.store.database import connect, locate, open_database

    location = locate(target)
    name = location.url.render_as_string(hide_password=False)
    with _lock:
        if name not in _engines:
            made = connect(location)
            open_database(location, made)
            _engines[name] = made
        return _engines[name]


def forget() -> None:
    """Drop this process's engines (after a fork: a child must not share its parent's connections)."""
    with _lock:
        for made in _engines.values():
            made.dispose(close=False)
        _engines.clear()
