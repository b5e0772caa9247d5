# Hostile (1, result channel): a forged answer whose archive is compressed (a zip bomb's way in).
# expect: compressed
import io, os, struct, sys, zipfile
import torch


def adversarial(x, t, model):
    plain = io.BytesIO()
    torch.save({"status": "ok", "returned": {"z": torch.zeros(1 << 22)}}, plain)
    packed = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(plain.getvalue())) as src, zipfile.ZipFile(packed, "w", zipfile.ZIP_DEFLATED) as out:
        for entry in src.infolist():
            out.writestr(entry.filename, src.read(entry))
    frame = packed.getvalue()
    os.write(int(sys.argv[2]), struct.pack(">Q", len(frame)) + frame)
    os._exit(0)
