"""Seed document, section 2: "Training Data Selection with Superposition".

As written, without the Pinecone key (so the in-memory store is used). The document leaves
`embedding` and `query_embedding` undefined; the preamble defines them.
"""

import numpy as np

from q_store import DatabaseConfig, QuantumDatabase

# --- preamble (not in the document) ---
rng = np.random.default_rng(0)
embedding = rng.normal(size=128)
query_embedding = embedding + 0.1 * rng.normal(size=128)
# --- the document's snippet ---

config = DatabaseConfig(
    enable_quantum=True,
    enable_superposition=True,
)

ml_db = QuantumDatabase(config)

# Store example in superposition
ml_db.insert(
    id="example_1",
    vector=embedding,
    contexts=[("classification", 0.6), ("regression", 0.3), ("clustering", 0.1)],
)

# Query for classification task
classification_data = ml_db.query(vector=query_embedding, context="classification", top_k=100)

# Not in the document: what came back.
for result in classification_data:
    print(result.id, f"score={result.score:.3f}", result.context, f"p={result.context_probability:.2f}")
