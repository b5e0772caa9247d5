# Hostile (2, dtypes): returns a complex z.
# expect: dtype torch.complex64
import torch


def adversarial(x, t, model):
    return torch.complex(x, torch.zeros_like(x))
