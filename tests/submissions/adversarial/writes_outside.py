# Hostile: tries to plant a file outside its own directory.
def adversarial(x, t, model):
    with open("/usr/lib/python3/planted.py", "w") as handle:
        handle.write("print('owned')\n")
    return x
