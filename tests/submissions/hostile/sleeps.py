# Hostile (4, time): sleeps instead of computing (no CPU time used): the wall-time limit ends it.
# expect: did not finish within
import time


def adversarial(x, t, model):
    time.sleep(3600)
    return x
