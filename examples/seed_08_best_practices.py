"""Seed document: "Best Practices" — mock mode for development, IonQ for production, and data
selection by task context. The production configuration is only constructed (no key, no network)."""

import numpy as np
import torch

from q_store import DatabaseConfig, QuantumDatabase, QuantumLayer

# 3. Use Mock Mode for Development

# Development with mock backend (fast, free)
config = DatabaseConfig(quantum_sdk="mock")
quantum_layer = QuantumLayer(n_qubits=4, depth=2, config=config)

# Production with IonQ (accurate, costs money)
config = DatabaseConfig(quantum_sdk="ionq", ionq_api_key="your-key")

# --- preamble for section 4 (not in the document) ---
rng = np.random.default_rng(3)
ml_db = QuantumDatabase(DatabaseConfig())
training_data = [
    {
        "id": f"sample_{i}",
        "embedding": rng.normal(size=32),
        "task_contexts": [("task_name", 0.7), ("other_task", 0.3)] if i % 2 else [("other_task", 1.0)],
    }
    for i in range(40)
]
query = rng.normal(size=32)
batch_size = 8
# --- the document's snippet ---

# Use quantum superposition for multi-task learning
for data in training_data:
    ml_db.insert(
        id=data["id"],
        vector=data["embedding"],
        contexts=data["task_contexts"],  # Multiple tasks
    )

# Query selectively for each task
task_data = ml_db.query(vector=query, context="task_name", top_k=batch_size)

# Not in the document.
print(quantum_layer(torch.randn(2, 4)).shape, config.quantum_sdk, repr(config.ionq_api_key))
assert all(r.context == "task_name" for r in task_data)
