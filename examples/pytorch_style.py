"""A typical short PyTorch classification script, run by minigrad: only the import lines differ.

    python examples/pytorch_style.py

To run the very same body under PyTorch, swap the imports (minigrad → torch,
minigrad.data → torch.utils.data) and feed the result to a Python that has torch::

    sed -E '/^(import|from) minigrad/{s/minigrad\\.data/torch.utils.data/;s/minigrad/torch/g}' \\
        examples/pytorch_style.py | python -
"""
import os
import tempfile

import minigrad as torch
import minigrad.nn as nn
import minigrad.nn.functional as F
import minigrad.optim as optim
from minigrad.data import DataLoader, TensorDataset

torch.manual_seed(0)

# Three Gaussian blobs in the plane, 1,200 points.
centers = torch.tensor([[0.0, 2.0], [-2.0, -1.0], [2.0, -1.0]])
labels = torch.randint(0, 3, (1200,))
points = centers[labels] + 0.9 * torch.randn(1200, 2)
X_train, y_train = points[:900], labels[:900]
X_test, y_test = points[900:], labels[900:]
train_loader = DataLoader(TensorDataset(X_train, y_train), batch_size=64, shuffle=True)


class Net(nn.Module):
    def __init__(self, hidden=32, n_classes=3):
        super().__init__()
        self.fc1 = nn.Linear(2, hidden)
        self.fc2 = nn.Linear(hidden, hidden)
        self.dropout = nn.Dropout(0.1)
        self.fc3 = nn.Linear(hidden, n_classes)

    def forward(self, x):
        x = F.relu(self.fc1(x))
        x = self.dropout(F.relu(self.fc2(x)))
        return self.fc3(x)


def evaluate(model, X, y):
    model.eval()
    with torch.no_grad():
        logits = model(X)
        loss = F.cross_entropy(logits, y).item()
        accuracy = (logits.argmax(dim=1) == y).float().mean().item()
    model.train()
    return loss, accuracy


model = Net()
print(model)
optimizer = optim.Adam(model.parameters(), lr=1e-2)
scheduler = optim.lr_scheduler.StepLR(optimizer, step_size=10, gamma=0.5)
criterion = nn.CrossEntropyLoss()

for epoch in range(1, 21):
    running = 0.0
    for xb, yb in train_loader:
        optimizer.zero_grad()
        loss = criterion(model(xb), yb)
        loss.backward()
        optimizer.step()
        running += loss.item() * xb.shape[0]
    scheduler.step()
    test_loss, test_acc = evaluate(model, X_test, y_test)
    print(f"epoch {epoch:2d}  lr {scheduler.get_last_lr()[0]:.4f}  train loss {running / len(X_train):.4f}  "
          f"test loss {test_loss:.4f}  test acc {100 * test_acc:.1f}%")

# Save the weights, load them into a fresh model, and check it predicts the same.
with tempfile.TemporaryDirectory() as directory:
    path = os.path.join(directory, "net.pt")
    torch.save(model.state_dict(), path)
    restored = Net()
    restored.load_state_dict(torch.load(path))
restored.eval()
model.eval()
with torch.no_grad():
    same = torch.equal(model(X_test), restored(X_test))
print(f"saved and reloaded the weights; the reloaded model gives identical outputs: {same}")
