# Seed 000's answer as written on the sheet (OCR cleaned up only where it was illegible):
# `import torch, import ...`, a missing colon, `range(need)`. Does not parse.
import torch, import numpy

def advesarial(x,T, model)
    # Create/modify z  model(x): 1x1
    z = x.clone().detach().requires_grad_(True)
    optim = torch.nn.SGD([z], lr=0.01)
    for i in range(need):
        optim.zero_grad()
        loss = torch.norm(x - z, p=2) ** 2 + torch.max(torch.zeros_like(T), T * model(z)).sum()
        loss.backward()
        optim.step()
    return z
