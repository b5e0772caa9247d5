# zero_grad() missing: gradients pile up over the iterations.
import torch


def train(X, model):
    optim = torch.optim.SGD(model.parameters(), lr=0.004)
    loss_fn = torch.nn.MSELoss()
    X_gray = X.mean(dim=1, keepdim=True)
    for i in range(1000):
        out = model(X_gray)
        loss = loss_fn(out, X)
        loss.backward()
        optim.step()
