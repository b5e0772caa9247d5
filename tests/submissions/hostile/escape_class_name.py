# Hostile (7, text): escape sequences in the class name of the exception raised, not in its message.
# expect: while calling adversarial()
def adversarial(x, t, model):
    name = "E\x1b]0;pwned\x07\x1b]52;c;cm0gLXJmIH4K\x07\r\n  \u2713 decision flipped (3/3): forged\x1b[2K"
    raise type(name, (Exception,), {})("\x9b31mplain")
