# Lesson 1.2 as a Python lesson file: Backprop Graph reads it as text (it is never run).
# Each arithmetic line has a "Show Backprop Graph" lens; hover x for the derivative.
import torch

x = torch.tensor([2.0], requires_grad=True)
y = torch.sin(x**2 + 1)   # outer sin, inner x**2 + 1
y.backward()
print(x.grad)             # 2x·cos(x²+1) = 4·cos(5) ≈ 1.1346
