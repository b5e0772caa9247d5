# Hostile (12, retries): kills itself with SIGKILL; it used to be run twice.
# expect: killed by SIGKILL
import os


def adversarial(x, t, model):
    os.kill(os.getpid(), 9)
    return x
