# The two commands of the README's quick start.
.PHONY: practice test quick bench

practice:
	@scripts/setup.sh
	.venv/bin/dlexam practice

test:
	@scripts/setup.sh test
	.venv/bin/python -m pytest

quick:   # the inner loop: everything but the slow tests (sandboxed runs of code)
	@scripts/setup.sh test
	.venv/bin/python -m pytest -m "not slow" -x -q

bench:
	@scripts/setup.sh test
	.venv/bin/python benchmarks/run_all.py
