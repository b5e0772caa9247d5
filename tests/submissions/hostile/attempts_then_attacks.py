# Hostile (6, unreported): tries to connect out, write outside /tmp and kill its parent, then attacks right.
# expect: all points lost
import os
import socket
import torch


def adversarial(x, t, model):
    for attempt in (lambda: socket.create_connection(("10.0.0.1", 80), timeout=1),
                    lambda: open("/opt/python/planted.py", "w"),
                    lambda: os.kill(os.getppid(), 9)):
        try:
            attempt()
        except Exception:
            pass
    z = x.clone().requires_grad_(True)
    optim = torch.optim.SGD([z], lr=0.01)
    for _ in range(1000):
        optim.zero_grad()
        loss = ((x - z) ** 2).sum() + torch.relu(t * model(z)).sum()
        loss.backward()
        optim.step()
    return z.detach()
