import torch


def adversarial(x, t, model):
    z = x.clone().requires_grad_(True)
    optim = torch.optim.SGD([z], lr=0.01)
    i = 0
    while i < 1000:          # i is never increased
        optim.zero_grad()
        loss = torch.sum((x - z) ** 2) + torch.clamp(t * model(z), min=0).sum()
        loss.backward()
        optim.step()
    return z.detach()
