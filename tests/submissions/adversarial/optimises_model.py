import torch


def adversarial(x, t, model):
    z = x.clone()
    optim = torch.optim.SGD(model.parameters(), lr=0.01)
    for i in range(1000):
        optim.zero_grad()
        loss = torch.sum((x - z) ** 2) + torch.clamp(t * model(z), min=0).sum()
        loss.backward()
        optim.step()
    return z
