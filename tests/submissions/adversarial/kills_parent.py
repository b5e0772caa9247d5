# Hostile: tries to kill the grader that started it.
import os
import signal


def adversarial(x, t, model):
    os.kill(os.getppid(), signal.SIGKILL)
    os.kill(1, signal.SIGKILL)
    return x
