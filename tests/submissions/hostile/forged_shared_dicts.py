# Hostile (1, result channel): a forged answer of dicts sharing one inner dict (not lists), k³ values.
# expect: more than 20000 values
import io, os, struct, sys
import torch


def adversarial(x, t, model):
    inner = {str(i): 0.0 for i in range(200)}
    middle = {str(i): inner for i in range(200)}
    data = io.BytesIO()
    torch.save({"status": "ok", "returned": {"z": {str(i): middle for i in range(200)}}}, data)
    frame = data.getvalue()
    os.write(int(sys.argv[2]), struct.pack(">Q", len(frame)) + frame)
    os._exit(0)
