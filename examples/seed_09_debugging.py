"""Seed document: "Debugging Quantum Training".

The document's gradient-flow snippet feeds `test_input` of the layer-check snippet, shape (1, 4),
to `QuantumClassifier`, whose first layer takes 784 features; the preamble of that part gives
`test_input` the classifier's width.
"""

import torch

from q_store import DatabaseConfig, QuantumLayer

config = DatabaseConfig(quantum_sdk="mock")

# Check Quantum Layer Output

# Verify quantum layer is working
quantum_layer = QuantumLayer(n_qubits=4, depth=2, config=config)
test_input = torch.randn(1, 4)
output = quantum_layer(test_input)

print(f"Output shape: {output.shape}")  # Should be (1, 4)
print(f"Output device: {output.device}")  # follows the input's device (cpu here, cuda for CUDA inputs)
print(f"Output range: [{output.min():.2f}, {output.max():.2f}]")


# --- preamble (not in the document) ---
class QuantumClassifier(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self.encode = torch.nn.Linear(784, 4)
        self.quantum = QuantumLayer(n_qubits=4, depth=2, config=config)
        self.decode = torch.nn.Linear(4, 10)

    def forward(self, x):
        return self.decode(self.quantum(self.encode(x)))


test_input = torch.randn(1, 784)
# --- the document's snippet ---

# Monitor Gradient Flow

# Check if gradients are flowing
model = QuantumClassifier()
output = model(test_input)
loss = output.sum()
loss.backward()

for name, param in model.named_parameters():
    if param.grad is not None:
        print(f"{name}: grad norm = {param.grad.norm():.4f}")
