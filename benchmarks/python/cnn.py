"""The sample CNN (conv 8, maxpool, conv 16, maxpool, fc 64, fc 10) in PyTorch with an ONNX file's weights."""
import torch
import torch.nn as nn
import torch.nn.functional as F

import onnxlite


class Cnn(nn.Module):
    def __init__(self, model_path):
        super().__init__()
        self.conv1 = nn.Conv2d(1, 8, 3)
        self.conv2 = nn.Conv2d(8, 16, 3)
        self.fc1 = nn.Linear(400, 64)
        self.fc2 = nn.Linear(64, 10)
        self.relu1, self.relu2, self.relu3 = nn.ReLU(), nn.ReLU(), nn.ReLU()
        _, w = onnxlite.load(model_path)
        with torch.no_grad():
            for name, p in self.named_parameters():
                p.copy_(torch.from_numpy(w[name]))

    def forward(self, x):
        return self.from_pool1(self.upto_pool1(x))

    def upto_pool1(self, x):
        return F.max_pool2d(self.relu1(self.conv1(x)), 2)

    def from_pool1(self, h):
        return self.from_conv2(self.conv2(h))

    def from_conv2(self, pre):
        h = F.max_pool2d(self.relu2(pre), 2)
        return self.fc2(self.relu3(self.fc1(h.flatten(1))))
