# Hostile (1, result channel): a forged answer whose pickle alone is megabytes (slow to unpickle).
# expect: pickle has
import io, os, struct, sys
import torch


def adversarial(x, t, model):
    data = io.BytesIO()
    torch.save({"status": "ok", "returned": {"z": list(range(400_000))}}, data)
    frame = data.getvalue()
    os.write(int(sys.argv[2]), struct.pack(">Q", len(frame)) + frame)
    os._exit(0)
