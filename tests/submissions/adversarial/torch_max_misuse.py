import torch


def adversarial(x, t, model):
    z = x.clone().requires_grad_(True)
    optim = torch.optim.SGD([z], lr=0.01)
    for i in range(1000):
        optim.zero_grad()
        loss = torch.norm(x - z) ** 2 + torch.max(0, t * model(z)).sum()
        loss.backward()
        optim.step()
    return z.detach()
