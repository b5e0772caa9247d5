# Hostile (3, limits): writes a key into the session keyring for the next sandbox to read.
# expect: native code through ctypes
import ctypes


def adversarial(x, t, model):
    libc = ctypes.CDLL(None)
    libc.syscall(248, b"user", b"dlexam-leak", b"secret", 6, -3)   # add_key(..., KEY_SPEC_SESSION_KEYRING)
    return x
