# Hostile (6, unreported): runs a shell (a fresh interpreter would run without the runner's hook).
# expect: running a program
import subprocess


def adversarial(x, t, model):
    subprocess.run(["/bin/sh", "-c", "id > /tmp/who"], check=False)
    return x
