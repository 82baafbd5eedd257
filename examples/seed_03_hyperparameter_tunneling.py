"""Seed document, section 3: "Hyperparameter Optimization with Tunneling".

The document leaves `ml_db` and `current_model_state` undefined; the preamble stores a few
evaluated configurations (see examples/tunneling_landscape.py for the full demonstration, with
energy='loss', where tunneling provably reaches the better basin).
"""

import numpy as np

from q_store import DatabaseConfig, QuantumDatabase

# --- preamble (not in the document) ---
rng = np.random.default_rng(1)
ml_db = QuantumDatabase(DatabaseConfig(enable_quantum=True, seed=1))
for i in range(200):
    config_vector = rng.normal(size=16)
    ml_db.insert(id=f"config_{i}", vector=config_vector, metadata={"val_loss": float(rng.uniform(0.1, 1.0))})
current_model_state = rng.normal(size=16)
# --- the document's snippet ---

# Find optimal hyperparameters
best_config = ml_db.tunnel_search(
    query=current_model_state, barrier_threshold=0.8, tunneling_strength=0.6, top_k=20
)

# Not in the document: what came back, and how.
for result in best_config[:5]:
    print(
        result.id,
        f"score={result.score:.3f}",
        "tunneled" if result.tunneled else "local",
        f"T={result.transmission:.2f}",
    )
