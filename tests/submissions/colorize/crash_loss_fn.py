# The seed's slip: the loss gets three arguments -> TypeError in the first iteration.
import torch


def train(X, model):
    optim = torch.nn.SGD(model.parameters(), lr=0.004)
    loss_fn = torch.nn.MSELoss()
    X_gray = X.mean(dim=1, keepdim=True)
    for i in range(1000):
        optim.zero_grad()
        out = model(X_gray)
        loss = loss_fn(out, out, X)
        loss.backward()
        optim.step()
