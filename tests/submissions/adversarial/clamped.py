import torch


def adversarial(x, t, model):
    """SGD on z, kept a valid image: z is clamped to [0, 1] after every step."""
    z = x.detach().clone().requires_grad_(True)
    optim = torch.optim.SGD([z], lr=0.01)
    for i in range(1000):
        optim.zero_grad()
        loss = torch.sum((x - z) ** 2) + torch.clamp(t * model(z), min=0).sum()
        loss.backward()
        optim.step()
        with torch.no_grad():
            z.clamp_(0, 1)
    return z.detach()
