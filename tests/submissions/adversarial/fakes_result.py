# Hostile: no attack at all; it makes every model answer "flipped" and fakes the optimiser's
# bookkeeping, hoping the grader trusts what happens inside the sandbox.
import torch

torch.nn.Module.__call__ = lambda self, z, *a, **k: -torch.ones(z.shape[0], 1) * 100
torch.Tensor.__lt__ = lambda self, other: torch.ones_like(self, dtype=torch.bool)


def adversarial(x, t, model):
    z = torch.nn.Parameter(x.clone())
    optim = torch.optim.SGD([z], lr=0.0)
    for i in range(1000):
        optim.zero_grad()
        optim.step()
    return x + 1e-6
