# Hostile (12, mounts): reads where the sandbox's mounts come from on the host and quotes them in its error.
# expect: mounted from
def adversarial(x, t, model):
    roots = set()
    for path in ("/proc/self/mountinfo", "/proc/thread-self/mountinfo", "/proc/1/mountinfo", "/proc/2/mountinfo"):
        try:
            with open(path) as mounts:
                roots |= {line.split()[3] for line in mounts if line.split()[3] != "/"}
        except OSError as exc:
            roots.add(f"({path}: {type(exc).__name__})")
    raise RuntimeError("mounted from " + " ".join(sorted(roots)))
