"""Test-only: exports a small two-head torch model with torch.onnx.export at the given opsets and
writes, as JSON on stdout, the inputs, torch's float32 logits and torchvision's float64
sigmoid_focal_loss (mean and per element) with its gradient with respect to the objectness logits.

Usage: python3 export_torch_models.py OUT_DIR OPSET [OPSET ...]
"""
import json
import sys

import torch
import torchvision


class TwoHeads(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self.body = torch.nn.Sequential(torch.nn.Linear(4, 8), torch.nn.ReLU())
        self.classes = torch.nn.Linear(8, 3)
        self.objectness = torch.nn.Linear(8, 2)

    def forward(self, features):
        h = self.body(features)
        return self.classes(h), self.objectness(h)


def main():
    out_dir, opsets = sys.argv[1], [int(o) for o in sys.argv[2:]]
    torch.manual_seed(1234)
    model = TwoHeads().eval()
    features = torch.randn(6, 4) * 2
    objectness_target = (torch.rand(6, 2) < 0.3).float()
    class_target = torch.tensor([0, 2, 1, 1, 0, 2], dtype=torch.int32)
    files = {}
    for opset in opsets:
        path = f"{out_dir}/two_heads_opset{opset}.onnx"
        torch.onnx.export(
            model, features, path, opset_version=opset,
            input_names=["features"], output_names=["class_logits", "objectness"],
            dynamic_axes={"features": {0: "batch"}, "class_logits": {0: "batch"}, "objectness": {0: "batch"}},
        )
        files[opset] = path
    with torch.no_grad():
        class_logits, objectness = model(features)
    x = objectness.double().clone().requires_grad_(True)
    loss = torchvision.ops.sigmoid_focal_loss(x, objectness_target.double(), alpha=0.25, gamma=2.0, reduction="mean")
    (grad,) = torch.autograd.grad(loss, x)
    print(json.dumps({
        "torch": torch.__version__, "torchvision": torchvision.__version__,
        "files": files,
        "features": features.flatten().tolist(),
        "classLogits": class_logits.flatten().tolist(),
        "objectness": objectness.flatten().tolist(),
        "objectnessTarget": objectness_target.flatten().tolist(),
        "classTarget": class_target.tolist(),
        "torchvisionLoss": loss.item(),
        "torchvisionGrad": grad.flatten().tolist(),
    }))


main()
