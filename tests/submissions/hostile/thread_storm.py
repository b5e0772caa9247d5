# Hostile (4, neighbours): 40 threads multiplying matrices (torch lets go of the GIL) to starve the file beside it.
# expect: did not finish within
import threading
import torch


def adversarial(x, t, model):
    def spin():
        a = torch.rand(256, 256)
        while True:
            a = torch.mm(a, a).clamp(-1, 1)

    threading.stack_size(256 << 10)           # small stacks: 40 threads fit in any address-space limit
    for _ in range(40):
        threading.Thread(target=spin, daemon=True).start()
    spin()
