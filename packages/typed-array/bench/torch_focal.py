"""torchvision's sigmoid_focal_loss, forward + backward, float32, at 1 and 2 threads.

Usage: /usr/bin/python3 bench/torch_focal.py N SECONDS. Prints one JSON object
{"torch": version, "torchvision": version, "rates": {"1": elements/s, "2": elements/s},
"cpu_rates": {...}}: N elements over the median wall-clock (rates) and process CPU (cpu_rates)
seconds per call, over repeated calls after a warm-up. Logits uniform in [-8, 8],
about 1 positive in 10, alpha 0.25, gamma 2, reduction "mean": the inputs of bench.ts.
"""
import json
import sys
import time

import torch
import torchvision
from torchvision.ops import sigmoid_focal_loss

n = int(float(sys.argv[1]))
budget = float(sys.argv[2])
generator = torch.Generator().manual_seed(12345)
x = (torch.rand(n, generator=generator) * 16 - 8).requires_grad_(True)
t = (torch.rand(n, generator=generator) < 0.1).float()


def step():
    loss = sigmoid_focal_loss(x, t, alpha=0.25, gamma=2, reduction='mean')
    loss.backward()
    x.grad = None


rates = {}
cpu_rates = {}
for threads in (1, 2):
    torch.set_num_threads(threads)
    for _ in range(2):
        step()
    times = []
    cpu_times = []
    start = time.perf_counter()
    while len(times) < 5 or (time.perf_counter() - start < budget and len(times) < 50):
        c0 = time.process_time()
        t0 = time.perf_counter()
        step()
        times.append(time.perf_counter() - t0)
        cpu_times.append(time.process_time() - c0)
    times.sort()
    cpu_times.sort()
    rates[str(threads)] = n / times[len(times) // 2]
    cpu_rates[str(threads)] = n / cpu_times[len(cpu_times) // 2]
print(json.dumps({'torch': torch.__version__, 'torchvision': torchvision.__version__, 'rates': rates, 'cpu_rates': cpu_rates}))
