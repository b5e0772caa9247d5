# Hostile (6, unreported): closes the runner's report pipe so that later attempts go unseen.
# expect: closing word
import os
import socket
import sys


def adversarial(x, t, model):
    os.close(int(sys.argv[3]))
    try:
        socket.create_connection(("10.0.0.1", 80), timeout=1)
    except Exception:
        pass
    return x.clone()
