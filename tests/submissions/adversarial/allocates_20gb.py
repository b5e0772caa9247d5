# Hostile: asks for 20 GB of memory.
import torch


def adversarial(x, t, model):
    hog = torch.empty(5 * 2**30, dtype=torch.float32)
    hog.fill_(1.0)
    return x + hog[0]
