"""Where the store is, connecting to it, telling dlexam's own database from anyone else's, migrating.

- `DLEXAM_DATABASE_URL` (an SQLAlchemy URL) wins; else `DLEXAM_STORE` (a SQLite file); else the
  default file in the user's data directory. Only the default file's directory is created: a
  path someone typed whose directory does not exist is an error naming it.
- Before anything is written, the database is classified: empty (a new store), the first
  store's single `attempts` table (stamped `dlexam_0001`, then upgraded in place), dlexam's own
  (an `alembic_version` of ours), or foreign / newer / unreadable, which are refused with one
  sentence and left byte for byte as they were.
- SQLite runs with real transactions (BEGIN emitted by us, as SQLAlchemy's pysqlite recipe
  says): DDL included, so a migration killed half-way rolls back with the journal.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import create_engine, event, inspect, make_url, text
from sqlalchemy.engine import URL, Connection, Engine
from sqlalchemy.exc import ArgumentError, DBAPIError, NoSuchModuleError

from dlexam.errors import InputError
from dlexam.store import models
from dlexam.store.quick import PATH_VAR, URL_VAR, default_path

MIGRATIONS = Path(__file__).resolve().parent / "migrations"
_PG_LOCK = 0x646C6578616D   # "dlexam": one migrating process at a time on a server


@dataclass(frozen=True)
class Location:
    url: URL
    where: str            # for messages: the file, or the URL without its password
    path: Path | None     # the SQLite file, if it is one
    created_default: bool = False


def locate(target: str | Path | None = None) -> Location:
    """The store's location: `target` (a path or URL) or the environment's, checked but untouched."""
    if target is None and os.environ.get(URL_VAR):
        return _from_url(os.environ[URL_VAR], f"{URL_VAR}")
    if isinstance(target, str) and "://" in target:
        return _from_url(target, "the database URL")
    typed = target is not None or bool(os.environ.get(PATH_VAR))
    path = Path(target).expanduser() if target is not None else default_path()
    if not typed:
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise InputError(f"The practice store {path} cannot be opened: {exc.strerror}.") from None
    return _file_location(path)


def _from_url(raw: str, source: str) -> Location:
    try:
        url = make_url(raw)
    except ArgumentError:
        raise InputError(f"{source} is not a database URL such as sqlite:///path/practice.sqlite3 or "
                         f"postgresql+psycopg://user@host/db.") from None
    if url.get_backend_name() == "sqlite" and url.database not in (None, "", ":memory:"):
        return _file_location(Path(url.database).expanduser(), url)
    return Location(url, url.render_as_string(hide_password=True), None)


def _file_location(path: Path, url: URL | None = None) -> Location:
    if not path.parent.is_dir():
        reason = "is not a directory" if path.parent.exists() else "does not exist"
        raise InputError(f"The practice store {path} cannot be opened: its directory {path.parent} {reason} "
                         f"(dlexam creates no directories for a path it is given).")
    if path.is_dir():
        raise InputError(f"The practice store {path} cannot be opened: it is a directory.")
    return Location(url or URL.create("sqlite", database=str(path)), str(path), path)


def connect(location: Location) -> Engine:
    """An engine for the location; nothing is sent to the database yet."""
    url = location.url
    try:
        if url.get_backend_name() == "sqlite":
            engine = create_engine(url, connect_args={"timeout": 10})
            _real_sqlite_transactions(engine)
        else:
            connect_args = {"connect_timeout": 5} if url.get_backend_name() == "postgresql" else {}
            engine = create_engine(url, connect_args=connect_args, pool_pre_ping=True)
    except NoSuchModuleError:
        raise InputError(f"The database URL {location.where} cannot be used: SQLAlchemy has no such driver "
                         f"here (dlexam comes with sqlite:// and postgresql+psycopg://).") from None
    except (ArgumentError, ImportError) as exc:
        raise InputError(f"The database URL {location.where} cannot be used: {_first_line(exc)}.") from None
    return engine


def _real_sqlite_transactions(engine: Engine) -> None:
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection, _record):
        dbapi_connection.isolation_level = None      # we say BEGIN ourselves, DDL included
        dbapi_connection.execute("PRAGMA foreign_keys = ON")

    @event.listens_for(engine, "begin")
    def _on_begin(conn: Connection):
        mode = conn.get_execution_options().get("dlexam_begin", "")
        conn.exec_driver_sql(f"BEGIN {mode}".strip())


def write_options(engine: Engine) -> dict:
    """Execution options for a writing transaction: SQLite takes its write lock at BEGIN."""
    return {"dlexam_begin": "IMMEDIATE"} if engine.dialect.name == "sqlite" else {}


def open_database(location: Location, engine: Engine, on_upgrade=None) -> None:
    """Check that the database is dlexam's own (or empty, or the first store) and migrate it to the
    newest revision in one transaction. `on_upgrade(conn, was)` runs in that transaction."""
    try:
        with engine.connect() as conn:
            state = _classify(conn, location)
        if state == models.HEAD:
            return
        with engine.connect().execution_options(**write_options(engine)) as conn, conn.begin():
            if engine.dialect.name == "postgresql":
                conn.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": _PG_LOCK})
            state = _classify(conn, location)      # another process may have migrated meanwhile
            if state != models.HEAD:
                migrate(conn, stamp=models.REVISIONS[0] if state == "legacy" else None)
                if on_upgrade is not None:
                    on_upgrade(conn, state)
    except InputError:
        raise
    except DBAPIError as exc:
        raise InputError(_database_error(location, exc)) from None


def _classify(conn: Connection, location: Location) -> str:
    """"empty", "legacy" (the first store's file) or the revision of dlexam's own database; refuses the rest."""
    tables = set(inspect(conn).get_table_names()) - {"sqlite_sequence"}
    if "alembic_version" in tables:
        versions = [row[0] for row in conn.execute(text("SELECT version_num FROM alembic_version"))]
        if len(versions) == 1 and versions[0] in models.REVISIONS:
            return versions[0]
        if len(versions) == 1 and versions[0].startswith("dlexam_"):
            raise InputError(f"The practice store {location.where} was written by a newer dlexam (revision "
                             f"{versions[0]}); update dlexam to use it — it is left unchanged.")
        raise _foreign(location, tables)
    if not tables:
        return "empty"
    if tables == {"attempts"}:
        columns = {c["name"] for c in inspect(conn).get_columns("attempts")}
        if columns == models.LEGACY_COLUMNS:
            return "legacy"
    raise _foreign(location, tables)


def _foreign(location: Location, tables: set[str]) -> InputError:
    shown = ", ".join(sorted(tables)[:5]) + (", ..." if len(tables) > 5 else "")
    return InputError(f"{location.where} is not a dlexam practice store (it holds the tables {shown}); "
                      f"it is left unchanged — set {PATH_VAR} or {URL_VAR} to dlexam's own store or a new one.")


def migrate(conn: Connection, stamp: str | None = None) -> None:
    """Upgrade to the newest revision on `conn`, inside its transaction (Alembic imported only now)."""
    from alembic import command
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.attributes["connection"] = conn
    if stamp:
        command.stamp(config, stamp)
    command.upgrade(config, "head")


def revision(message: str) -> None:
    """Write the next, empty migration script (a developer's step; then add its id to quick.REVISIONS)."""
    from alembic import command
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    command.revision(config, message, rev_id=f"dlexam_{len(models.REVISIONS) + 1:04d}", head=models.HEAD)


def _database_error(location: Location, exc: DBAPIError) -> str:
    detail = _first_line(exc.orig if exc.orig is not None else exc)
    if location.path is not None:
        return (f"The practice store {location.where} cannot be opened as a SQLite database ({detail}); "
                f"it is left unchanged — name another file in {PATH_VAR}, or move this one away if it is a "
                f"damaged store.")
    if exc.connection_invalidated or "connect" in detail.lower() or "connection" in detail.lower():
        return f"The database {location.where} cannot be reached ({detail}); check {URL_VAR}."
    return f"The database {location.where} cannot be used ({detail})."


def _first_line(exc: BaseException) -> str:
    lines = [line.strip() for line in str(exc).strip().splitlines() if line.strip()]
    return (lines[0] if lines else type(exc).__name__).rstrip(".")
