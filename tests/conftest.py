import pytest

# Test modules that run students' code in the sandbox for real: `make quick` leaves them out.
SLOW_MODULES = {"test_sandbox", "test_adversarial", "test_autoencoder"}


def pytest_collection_modifyitems(items):
    for item in items:
        if item.module.__name__.rsplit(".", 1)[-1] in SLOW_MODULES:
            item.add_marker(pytest.mark.slow)


@pytest.fixture(autouse=True)
def _private_store(tmp_path, monkeypatch):
    """Every test gets its own practice store; nothing touches the user's (not even a database
    URL set in the developer's shell)."""
    monkeypatch.delenv("DLEXAM_DATABASE_URL", raising=False)
    monkeypatch.setenv("DLEXAM_STORE", str(tmp_path / "store.sqlite3"))
