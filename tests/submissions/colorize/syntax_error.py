import torch


def train(X, model)
    optim = torch.optim.SGD(model.parameters(), lr=0.004)
