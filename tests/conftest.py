import pytest


@pytest.fixture(autouse=True)
def _private_store(tmp_path, monkeypatch):
    """Every test gets its own practice store; nothing touches the user's."""
    monkeypatch.setenv("DLEXAM_STORE", str(tmp_path / "store.sqlite3"))
