# The loop never ends.
import torch


def train(X, model):
    optim = torch.optim.SGD(model.parameters(), lr=0.004)
    loss_fn = torch.nn.MSELoss()
    X_gray = X.mean(dim=1, keepdim=True)
    i = 0
    while i < 1000:
        optim.zero_grad()
        loss = loss_fn(model(X_gray), X)
        loss.backward()
        optim.step()
