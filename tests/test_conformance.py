"""Every registered family against every conformance check (`dlexam.tasks.conformance`), each
(family, check) its own test id, so a failure names both: `test_conformance[pieces-solution_verifies]`."""

import json
import subprocess
import sys

import pytest

from dlexam.tasks import conformance
from dlexam.tasks.registry import FAMILIES, family, names

SLOW_TASKS = {5}   # the programming families run code for real


def _cases() -> list:
    return [pytest.param(name, check, id=f"{name}-{check}",
                         marks=[pytest.mark.slow] if FAMILIES[name][0] in SLOW_TASKS else [])
            for name in names() for check in conformance.CHECKS]


@pytest.mark.parametrize(("name", "check"), _cases())
def test_conformance(name, check):
    result = conformance.run_check(family(name), check)
    assert result.passed, result.message


def test_a_check_that_fails_is_reported_by_name_with_the_seed():
    """The suite itself can fail: a family whose verify accepts anything is caught."""
    fam = family("parameters")

    class Lenient(type(fam)):
        def verify(self, variant, solution):
            return None

    result = conformance.run_check(Lenient(), "verify_rejects_a_perturbed_solution")
    assert not result.passed and result.message.startswith("seed 0:")


def test_dlexam_check_lists_each_check_by_name():
    proc = subprocess.run([sys.executable, "-m", "dlexam.cli", "check", "concepts", "--seeds", "3",
                           "--check", "same_seed_same_variant", "--check", "every_format_renders", "--json"],
                          capture_output=True, text=True)
    out = json.loads(proc.stdout)
    assert proc.returncode == 0 and out["passed"]
    assert [c["name"] for c in out["families"][0]["checks"]] == ["same_seed_same_variant", "every_format_renders"]
    bad = subprocess.run([sys.executable, "-m", "dlexam.cli", "check", "concepts", "--check", "nope", "--json"],
                         capture_output=True, text=True)
    assert bad.returncode == 2 and "no check" in json.loads(bad.stdout)["error"]
