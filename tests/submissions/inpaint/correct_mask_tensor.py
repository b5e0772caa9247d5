# Correct in another style: a multiplicative mask, F.mse_loss, a for loop over a named constant.
import torch
import torch.nn.functional as F

ITERATIONS = 1000


def train(X, model):
    N, C, S, _ = X.shape
    keep = torch.ones(1, 1, S, S)
    c = (S - 16) // 2
    keep[..., c:c + 16, c:c + 16] = 0
    masked = X * keep
    optimizer = torch.optim.SGD(model.parameters(), lr=4e-3)
    for _ in range(ITERATIONS):
        optimizer.zero_grad()
        F.mse_loss(model(masked), X).backward()
        optimizer.step()
