# Hostile (1, result channel): a forged answer that is no torch.save archive at all (a pickle).
# expect: not a torch.save archive
import os, pickle, struct, sys


def adversarial(x, t, model):
    frame = pickle.dumps({"status": "ok", "returned": {"z": x.tolist()}})
    os.write(int(sys.argv[2]), struct.pack(">Q", len(frame)) + frame)
    os._exit(0)
