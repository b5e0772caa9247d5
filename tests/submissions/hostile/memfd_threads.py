# Hostile (3, limits): eight threads fill memfd files at once (processes are refused, threads are not).
# expect: memory limit
import os
import threading


def adversarial(x, t, model):
    files, chunk = [], b"x" * (1 << 20)

    def fill():
        for _ in range(40):                   # 8 threads x 40 files x 40 MB: 12.8 GB if nothing stops it
            fd = os.memfd_create("hog")
            for _ in range(40):
                os.write(fd, chunk)
            files.append(fd)

    threads = [threading.Thread(target=fill) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return x
