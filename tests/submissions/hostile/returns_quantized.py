# Hostile (2, layouts): returns a quantized z.
# expect: the submission's answer
import torch


def adversarial(x, t, model):
    return torch.quantize_per_tensor(x, 0.01, 0, torch.quint8)
