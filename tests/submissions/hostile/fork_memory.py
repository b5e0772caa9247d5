# Hostile (3, limits): every fork gets its own address-space limit; ten of them hold 2 GB.
# expect: starting a process: os.fork
import os
import time


def adversarial(x, t, model):
    for _ in range(10):
        if os.fork() == 0:
            block = bytearray(200 << 20)
            for i in range(0, len(block), 4096):
                block[i] = 1
            time.sleep(60)
            os._exit(0)
    time.sleep(60)
    return x
