# Hostile (4, neighbours): 60 busy processes, each in its own session, to starve the file graded beside it.
# expect: starting a process: os.fork
import os


def adversarial(x, t, model):
    for _ in range(60):
        try:
            if os.fork() == 0:
                os.setsid()
                while True:
                    pass
        except OSError:
            break
    while True:
        pass
