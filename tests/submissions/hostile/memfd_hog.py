# Hostile (3, limits): holds memory in memfd files, which no address-space limit counts.
# expect: memory limit
import os


def adversarial(x, t, model):
    files, chunk = [], b"x" * (1 << 20)
    for _ in range(200):                      # 200 files of 60 MB: 12 GB if nothing stops it
        fd = os.memfd_create("hog")
        for _ in range(60):
            os.write(fd, chunk)
        files.append(fd)
    return x
