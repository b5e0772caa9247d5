# Hostile (7, text): an exception message of a megabyte, to flood the grade and the terminal.
# expect: ValueError
def adversarial(x, t, model):
    raise ValueError("=" + "A" * (1 << 20))
