"""Seed document: "Gradient Computation" (a standard training step)."""

import torch

from q_store import QuantumLayer

# --- preamble (not in the document) ---
torch.manual_seed(0)
model = torch.nn.Sequential(torch.nn.Linear(6, 4), QuantumLayer(4, 2), torch.nn.Linear(4, 3))
input = torch.randn(16, 6)
target = torch.randint(0, 3, (16,))
criterion = torch.nn.CrossEntropyLoss()
optimizer = torch.optim.Adam(model.parameters(), lr=0.05)
before = model[1].weights.detach().clone()
# --- the document's snippet ---

# Standard PyTorch training loop
output = model(input)
loss = criterion(output, target)
loss.backward()  # Quantum gradients computed via parameter shift

optimizer.step()  # Update quantum parameters

# Not in the document: the quantum weights did move.
print("quantum weights changed by", (model[1].weights - before).abs().max().item())
assert not torch.equal(model[1].weights, before)
