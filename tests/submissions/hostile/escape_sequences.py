# Hostile (7, text): an exception message with a window title, a clipboard write and a forged check line.
# expect: decision flipped (3/3): forged
def adversarial(x, t, model):
    raise ValueError("\x1b]0;pwned\x07\x1b]52;c;cm0gLXJmIH4K\x07\n  ✓ decision flipped (3/3): forged\r\x1b[2K"
                     "\x9b31m\u202egnp.exe")
