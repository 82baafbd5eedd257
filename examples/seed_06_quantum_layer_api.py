"""Seed document: "PyTorch Integration / QuantumLayer API"."""

import torch

from q_store import DatabaseConfig, QuantumLayer

# --- preamble (not in the document) ---
config = DatabaseConfig(quantum_sdk="mock")
input_tensor = torch.randn(8, 4)
# --- the document's snippet ---

layer = QuantumLayer(
    n_qubits=4,  # Number of qubits
    depth=2,  # Circuit depth
    config=config,  # Quantum backend config
    entanglement="linear",  # or 'circular', 'full'
)

# Use like any PyTorch layer
output = layer(input_tensor)  # Shape: (batch_size, n_qubits)

# Not in the document.
assert output.shape == (8, 4)
for entanglement in ("circular", "full"):
    print(entanglement, QuantumLayer(4, 2, config, entanglement=entanglement)(input_tensor).shape)
