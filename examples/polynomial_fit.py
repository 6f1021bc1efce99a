"""PyTorch's "Learning PyTorch with Examples" polynomial fit (the nn + optim version), run by
minigrad: the body is the tutorial's, only the import lines differ.

Fits y = a + b x + c x^2 + d x^3 to sin(x) on [-pi, pi] with a Linear(3, 1) layer, a summed
squared error and RMSprop.

    python examples/polynomial_fit.py                      # the tutorial's 2000 steps
    python examples/polynomial_fit.py --steps 200 --dtype float64

Two additions, each marked: a command line (steps, dtype) and a fixed start. The tutorial
starts from torch's random Linear initialisation; torch's and minigrad's random streams differ,
so the weights are set from a seeded numpy generator right after the model is built, and the
two libraries then follow the same trajectory. To run the very same body under PyTorch::

    sed -E 's/^import minigrad as torch$/import torch/' examples/polynomial_fit.py | python - --steps 200
"""
import minigrad as torch
import math

# --- addition: command line (steps, default dtype) ---------------------------------------
import argparse
import numpy as np

parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
parser.add_argument("--steps", type=int, default=2000)
parser.add_argument("--dtype", choices=["float32", "float64"], default="float32")
args = parser.parse_args()
torch.set_default_dtype(getattr(torch, args.dtype))
# ------------------------------------------------------------------------------------------

# Create Tensors to hold input and outputs.
x = torch.linspace(-math.pi, math.pi, 2000)
y = torch.sin(x)

# For this example, the output y is a linear function of (x, x^2, x^3), so
# we can consider it as a linear layer neural network. Let's prepare the
# tensor (x, x^2, x^3).
p = torch.tensor([1, 2, 3])
xx = x.unsqueeze(-1).pow(p)

# In the above code, x.unsqueeze(-1) has shape (2000, 1), and p has shape
# (3,), for this case, broadcasting semantics will apply to obtain a tensor
# of shape (2000, 3)

# Use the nn package to define our model as a sequence of layers. nn.Sequential
# is a Module which contains other Modules, and applies them in sequence to
# produce its output. The Linear Module computes output from input using a
# linear function, and holds internal Tensors for its weight and bias.
# The Flatten layer flatens the output of the linear layer to a 1D tensor,
# to match the shape of `y`.
model = torch.nn.Sequential(
    torch.nn.Linear(3, 1),
    torch.nn.Flatten(0, 1)
)

# --- addition: the same start in both libraries --------------------------------------------
# torch.nn.Linear draws its weights from the library's own random stream; overwrite them
# with values from a seeded numpy generator so that torch and minigrad start identically.
rng = np.random.default_rng(0)
with torch.no_grad():
    for param in model.parameters():
        param.copy_(torch.from_numpy(rng.uniform(-0.5, 0.5, size=tuple(param.shape))))
# ------------------------------------------------------------------------------------------

loss_fn = torch.nn.MSELoss(reduction='sum')

# Use the optim package to define an Optimizer that will update the weights of
# the model for us. Here we will use RMSprop; the optim package contains many other
# optimization algorithms. The first argument to the RMSprop constructor tells the
# optimizer which Tensors it should update.
learning_rate = 1e-3
optimizer = torch.optim.RMSprop(model.parameters(), lr=learning_rate)
losses = []  # addition: the loss of every step, for the tests
for t in range(args.steps):
    # Forward pass: compute predicted y by passing x to the model.
    y_pred = model(xx)

    # Compute and print loss.
    loss = loss_fn(y_pred, y)
    losses.append(loss.item())
    if t % 100 == 99:
        print(t, loss.item())

    # Before the backward pass, use the optimizer object to zero all of the
    # gradients for the variables it will update (which are the learnable
    # weights of the model). This is because by default, gradients are
    # accumulated in buffers( i.e, not overwritten) whenever .backward()
    # is called. Checkout docs of torch.autograd.backward for more details.
    optimizer.zero_grad()

    # Backward pass: compute gradient of the loss with respect to model
    # parameters
    loss.backward()

    # Calling the step function on an Optimizer makes an update to its
    # parameters
    optimizer.step()


linear_layer = model[0]
print(f'Result: y = {linear_layer.bias.item()} + {linear_layer.weight[:, 0].item()} x + {linear_layer.weight[:, 1].item()} x^2 + {linear_layer.weight[:, 2].item()} x^3')
