# Hostile (3, limits): fills the private /tmp with empty files (inodes are host memory).
# expect: No space left on device
import os


def adversarial(x, t, model):
    os.makedirs("/tmp/many", exist_ok=True)
    for i in range(200_000):
        open(f"/tmp/many/{i}", "w").close()
    return x
