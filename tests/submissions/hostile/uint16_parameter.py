# Hostile (2, dtypes): swaps a uint16 Parameter into the model and returns z as uint16 too.
# expect: dtype torch.uint16
import torch


def adversarial(x, t, model):
    first = next(m for m in model.modules() if hasattr(m, "weight"))
    first.weight = torch.nn.Parameter(torch.zeros(first.weight.shape, dtype=torch.uint16), requires_grad=False)
    return x.to(torch.uint16)
