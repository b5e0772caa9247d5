# Hostile (2, dtypes): swaps a weight of the model for a bits8 parameter (the state sent back).
# expect: dtype torch.bits8
import torch


def adversarial(x, t, model):
    layer = [m for m in model.modules() if isinstance(m, torch.nn.Linear)][0]
    layer.weight = torch.nn.Parameter(torch.empty(layer.weight.shape, dtype=torch.bits8), requires_grad=False)
    return x.clone()
