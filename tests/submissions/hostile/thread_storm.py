# Hostile (4, neighbours): 24 threads multiplying matrices (torch lets go of the GIL) to starve the file beside it.
# expect: did not finish within
import threading
import torch


def adversarial(x, t, model):
    def spin():
        a = torch.rand(256, 256)
        while True:
            a = torch.mm(a, a).clamp(-1, 1)

    threading.stack_size(256 << 10)           # small stacks: the threads fit in any address-space limit
    for _ in range(24):   # 12 per core here; well below the sandbox's thread limit, so only time stops it
        threading.Thread(target=spin, daemon=True).start()
    spin()
