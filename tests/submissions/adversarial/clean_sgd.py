import torch


def adversarial(x, t, model):
    z = x.clone().requires_grad_(True)
    optimizer = torch.optim.SGD([z], lr=0.005)
    for _ in range(1000):
        optimizer.zero_grad()
        distance = ((x - z) ** 2).sum()
        hinge = torch.relu(t * model(z)).sum()
        (distance + hinge).backward()
        optimizer.step()
    return z.detach()
