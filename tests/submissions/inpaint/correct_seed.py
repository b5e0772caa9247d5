# The seed's inpainting answer with its loss line fixed, skeleton's torch.nn.SGD kept.
import torch


def train(X, model):
    optim = torch.nn.SGD(model.parameters(), lr=0.004)
    loss_fn = torch.nn.MSELoss()
    X_missing = X.clone()
    S = X.shape[2]
    start = S // 2 - 8
    X_missing[:, :, start:start + 16, start:start + 16] = 0
    for i in range(1000):
        optim.zero_grad()
        out = model(X_missing)
        loss = loss_fn(out, X)
        loss.backward()
        optim.step()
