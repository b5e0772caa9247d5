"""`dlexam check [FAMILY...]`: hold task families to the conformance suite, check by check.

For a course author adding a family: every check is listed by name with pass or fail and the
first failure (it names the seed, to replay with `dlexam question FAMILY --seed N`). Exit 0
only when every check passes, 1 when one fails, 2 for bad input.
"""

from __future__ import annotations

import argparse

HELP = "Run the conformance checks every task family must pass, by name."


def configure(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("families", nargs="*", metavar="FAMILY", help="task families (default: all)")
    parser.add_argument("--check", action="append", metavar="NAME", help="only this check (repeatable)")
    parser.add_argument("--seeds", type=int, default=None, metavar="N",
                        help="the first N seeds (default: 0-24 and two seeds near 2**32)")


def run(args: argparse.Namespace) -> dict:
    from dlexam.errors import InputError
    from dlexam.tasks import conformance, registry

    names = args.families or registry.names()
    families = [registry.family(name) for name in names]   # unknown names fail here, before any check
    unknown = sorted(set(args.check or ()) - set(conformance.CHECKS))
    if unknown:
        raise InputError(f"There is no check {unknown[0]!r}; the checks are {', '.join(conformance.CHECKS)}.")
    if args.seeds is not None and not 1 <= args.seeds <= 10_000:
        raise InputError("--seeds must be between 1 and 10000.")
    seeds = tuple(range(args.seeds)) if args.seeds else conformance.SEEDS
    results = []
    for fam in families:
        checks = conformance.run_checks(fam, seeds, args.check)
        results.append({"family": fam.name, "passed": all(c.passed for c in checks),
                        "checks": [{"name": c.name, "passed": c.passed, "message": c.message,
                                    "seconds": round(c.seconds, 3)} for c in checks]})
    return {"passed": all(r["passed"] for r in results), "seeds": len(seeds), "families": results}


def status(result: dict) -> int:
    return 0 if result["passed"] else 1


def show(result: dict) -> str:
    lines = []
    for fam in result["families"]:
        lines.append(f"{fam['family']}: {'all checks pass' if fam['passed'] else 'FAILS'}")
        for check in fam["checks"]:
            mark = "pass" if check["passed"] else "FAIL"
            lines.append(f"  {mark}  {check['name']}  ({check['seconds']:.1f} s)")
            if check["message"]:
                lines.append(f"        {check['message']}")
    failed = sum(not c["passed"] for f in result["families"] for c in f["checks"])
    total = sum(len(f["checks"]) for f in result["families"])
    lines.append(f"{total - failed} of {total} checks pass on {result['seeds']} seeds.")
    return "\n".join(lines)
