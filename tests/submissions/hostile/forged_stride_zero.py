# Hostile (1, result channel): a 1.5 KB answer holding a stride-0 view of one number as 10^10 elements.
# expect: more than 33554432 elements
import io, os, struct, sys
import torch


def adversarial(x, t, model):
    data = io.BytesIO()
    torch.save({"status": "ok", "returned": {"z": torch.ones(1).expand(10**10)}}, data)
    frame = data.getvalue()
    os.write(int(sys.argv[2]), struct.pack(">Q", len(frame)) + frame)
    os._exit(0)
