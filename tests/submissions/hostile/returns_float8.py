# Hostile (2, dtypes): returns z as float8_e4m3fn, which crashed the whole batch once.
# expect: dtype torch.float8_e4m3fn
import torch


def adversarial(x, t, model):
    return x.to(torch.float8_e4m3fn)
