# Hostile (3, limits): a new user namespace inside, to mount its own tmpfs beyond /tmp's limit.
# expect: native code through ctypes
import ctypes


def adversarial(x, t, model):
    libc = ctypes.CDLL(None, use_errno=True)
    if libc.unshare(0x10000000 | 0x00020000) != 0:      # CLONE_NEWUSER | CLONE_NEWNS
        raise OSError(ctypes.get_errno(), "unshare")
    libc.mount(b"none", b"/tmp", b"tmpfs", 0, b"size=8g")
    return x
