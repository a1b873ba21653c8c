"""Three torch.optim.RMSprop steps on p = [1, -0.5] with g = [2·p0, 3·p1² − 1], printed as the literal values
RmsPropTests.MatchesTorchOptimRmsprop asserts. Run with the system Python that has torch (1.13):
/usr/bin/python3 rmsprop_steps.py
"""
import torch

torch.set_default_dtype(torch.float64)
for kw in [dict(lr=0.01), dict(lr=0.05, alpha=0.9, momentum=0.5, centered=True, weight_decay=0.01)]:
    p = torch.nn.Parameter(torch.tensor([1.0, -0.5]))
    opt = torch.optim.RMSprop([p], **kw)
    steps = []
    for _ in range(3):
        p.grad = torch.stack([2 * p[0], 3 * p[1] * p[1] - 1]).detach().clone()
        opt.step()
        steps.append([repr(float(x)) for x in p.detach()])
    print(kw, steps)
