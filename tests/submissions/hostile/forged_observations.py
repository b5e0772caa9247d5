# Hostile (5, observations): a hand-written attack without any optimiser, then a forged answer claiming SGD's steps.
# expect: closing word
import io, os, struct, sys
import torch


def adversarial(x, t, model):
    z = x.clone().requires_grad_(True)
    for _ in range(300):
        loss = ((x - z) ** 2).sum() + torch.relu(t * model(z)).sum()
        grad, = torch.autograd.grad(loss, z)
        z = (z - 0.01 * grad).detach().requires_grad_(True)
    state = {k: v.clone() for k, v in model.state_dict().items()}
    seen = {"zero_grad": 1000, "module_zero_grad": 0, "steps": 1000, "backward": 1000, "forward": 1000,
            "optimizers_created": 1, "optimizers": ["SGD"], "lrs": [0.01] * 1000, "losses": [1.0] * 1000,
            "events": "ZFBS" * 1000, "forward_input_shapes": [list(x.shape)], "used_sheet_alias": False,
            "tampered": []}
    data = io.BytesIO()
    torch.save({"status": "ok", "message": "", "traceback": "", "call_seconds": 0.5, "observations": seen,
                "returned": {"z": z.detach(), "x_after": x.clone(), "probe_z": z.detach()[:1]},
                "state_dict": state}, data)
    frame = data.getvalue()
    os.write(int(sys.argv[2]), struct.pack(">Q", len(frame)) + frame)
    os._exit(0)
