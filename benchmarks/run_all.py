"""Run every benchmark in this folder, one after the other."""

import pathlib
import subprocess
import sys

here = pathlib.Path(__file__).parent
for script in sorted(here.glob("*.py")):
    if script.name != "run_all.py":
        print(f"\n== {script.name}", flush=True)
        subprocess.run([sys.executable, str(script)], check=False)
