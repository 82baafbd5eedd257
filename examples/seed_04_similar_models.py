"""Seed document, section 4: "Similar Model Discovery".

The document leaves `ml_db`, `model_embedding` and `target_model_embedding` undefined.
"""

import numpy as np

from q_store import DatabaseConfig, QuantumDatabase

# --- preamble (not in the document) ---
rng = np.random.default_rng(2)
ml_db = QuantumDatabase(DatabaseConfig())
model_embedding = rng.normal(size=64)
for name in ("gpt2_small", "resnet50", "vit_base"):
    ml_db.insert(id=name, vector=rng.normal(size=64), metadata={"arch": "other"})
target_model_embedding = model_embedding + 0.2 * rng.normal(size=64)
# --- the document's snippet ---

# Store model embeddings
ml_db.insert(id="bert_base", vector=model_embedding, metadata={"arch": "transformer", "params": "110M"})

# Find similar models with tunneling
similar_models = ml_db.tunnel_search(query=target_model_embedding, barrier_threshold=0.7, top_k=10)

# Not in the document.
print([(m.id, round(m.similarity, 3), m.tunneled) for m in similar_models])
assert similar_models[0].id == "bert_base"
