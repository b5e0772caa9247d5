# Hostile (1, result channel): a 3.7 KB forged answer of lists sharing one inner list, k³ elements.
# expect: more than 20000 values
import io, os, struct, sys
import torch


def adversarial(x, t, model):
    inner = [0.0] * 300
    middle = [inner] * 300
    data = io.BytesIO()
    torch.save({"status": "ok", "returned": {"z": [middle] * 300}}, data)
    frame = data.getvalue()
    os.write(int(sys.argv[2]), struct.pack(">Q", len(frame)) + frame)
    os._exit(0)
