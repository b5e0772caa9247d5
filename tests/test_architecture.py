"""The shape of the code (DESIGN.md): layers, no import circles, modules small enough to read."""

from pathlib import Path

from importlinter.cli import lint_imports

ROOT = Path(__file__).resolve().parents[1]
MAX_LINES = 400


def test_layers_hold_and_there_are_no_import_circles(monkeypatch, capsys):
    monkeypatch.chdir(ROOT)   # lint-imports reads the contracts from pyproject.toml
    status = lint_imports(config_filename=str(ROOT / "pyproject.toml"), no_cache=True)
    assert status == 0, capsys.readouterr().out[-3000:]


def test_no_module_is_too_long_to_read_in_one_sitting():
    long = {str(p.relative_to(ROOT)): n for p in (ROOT / "dlexam").rglob("*.py")
            if (n := len(p.read_text(encoding="utf-8").splitlines())) > MAX_LINES}
    assert not long, f"over {MAX_LINES} lines: {long}"
