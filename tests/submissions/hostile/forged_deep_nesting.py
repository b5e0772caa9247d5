# Hostile (1, result channel): a forged answer nested 100 levels deep.
# expect: nested more than
import io, os, struct, sys
import torch


def adversarial(x, t, model):
    deep = []
    for _ in range(100):
        deep = [deep]
    data = io.BytesIO()
    torch.save({"status": "ok", "returned": {"z": deep}}, data)
    frame = data.getvalue()
    os.write(int(sys.argv[2]), struct.pack(">Q", len(frame)) + frame)
    os._exit(0)
