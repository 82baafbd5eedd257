"""Seed document, section 1: "Hybrid Quantum-Classical Training" (build the hybrid model).

As written in the document, with quantum_sdk='mock' (the document's own development setting)
instead of 'ionq' and no key.
"""

import torch

from q_store import DatabaseConfig, QuantumLayer

config = DatabaseConfig(
    quantum_sdk="mock",  # or 'ionq' with ionq_api_key="your-key"
)

# Create quantum layer
quantum_layer = QuantumLayer(n_qubits=4, depth=2, config=config)


# Build hybrid model
class HybridModel(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self.classical_1 = torch.nn.Linear(10, 4)
        self.quantum = quantum_layer
        self.classical_2 = torch.nn.Linear(4, 2)

    def forward(self, x):
        x = self.classical_1(x)
        x = self.quantum(x)  # Quantum processing
        x = self.classical_2(x)
        return x


model = HybridModel()

# Not in the document: show that it runs.
print(model(torch.randn(3, 10)).shape)
