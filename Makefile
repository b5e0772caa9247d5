# The two commands of the README's quick start.
.PHONY: practice test bench

practice:
	@scripts/setup.sh
	.venv/bin/dlexam practice

test:
	@scripts/setup.sh test
	.venv/bin/python -m pytest

bench:
	@scripts/setup.sh test
	.venv/bin/python benchmarks/run_all.py
