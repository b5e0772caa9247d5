# Hostile: tries to read the grader's reference attack and the project's source.
import torch


def adversarial(x, t, model):
    for path in ("/work/main/dlexam/solutions/attack.py", "dlexam/solutions/attack.py"):
        with open(path) as f:
            exec(f.read(), globals())
    return posed_attack(x, t, model)  # noqa: F821
