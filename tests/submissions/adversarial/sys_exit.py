import sys

import torch


def adversarial(x, t, model):
    z = x.clone().requires_grad_(True)
    sys.exit(0)
