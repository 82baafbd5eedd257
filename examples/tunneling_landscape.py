"""Tunneling escapes a local optimum: a stored landscape of evaluated configurations.

Hyperparameter configurations are embedded as vectors; each carries its validation loss. They
form basins: the query's own, mediocre basin; a nearer basin that is worse; a farther basin that
is clearly better; and a distant poor one. A plain nearest-neighbour query only ever returns the
query's own basin. ``tunnel_search`` (with ``energy='loss'``: lower is better) tunnels through the
barrier into the better basin, and says so for every result it reached that way.

    python examples/tunneling_landscape.py
"""

from __future__ import annotations

import numpy as np

from q_store import DatabaseConfig, QuantumDatabase

DIMENSION = 24
#: Basin name -> (cosine similarity of its centre to the query's centre, typical loss, members)
BASINS = {
    "local (mediocre)": (1.00, 0.30, 30),
    "near (worse)": (0.65, 0.38, 20),
    "far (better)": (0.55, 0.12, 20),
    "distant (poor)": (0.10, 0.50, 20),
}


def landscape(seed: int = 0) -> tuple[list[str], np.ndarray, list[dict[str, object]], np.ndarray]:
    """Ids, vectors, metadata (basin, loss) and the query: a configuration in the local basin."""
    rng = np.random.default_rng(seed)
    home = np.zeros(DIMENSION)
    home[0] = 1.0
    ids, vectors, metadata = [], [], []
    for axis, (name, (cosine, loss, count)) in enumerate(BASINS.items()):
        # A centre at the given cosine from `home`, along its own orthogonal direction.
        centre = cosine * home
        if cosine < 1.0:
            direction = np.zeros(DIMENSION)
            direction[axis] = 1.0
            centre = centre + np.sqrt(1 - cosine**2) * direction
        for member in range(count):
            point = centre + rng.normal(scale=0.04, size=DIMENSION)
            ids.append(f"{name.split()[0]}-{member}")
            vectors.append(point / np.linalg.norm(point))
            metadata.append({"basin": name, "loss": round(float(loss + rng.normal(scale=0.01)), 4)})
    query = home + rng.normal(scale=0.04, size=DIMENSION)
    return ids, np.array(vectors), metadata, query / np.linalg.norm(query)


def build_database(config: DatabaseConfig | None = None) -> tuple[QuantumDatabase, np.ndarray]:
    ids, vectors, metadata, query = landscape()
    db = QuantumDatabase(config or DatabaseConfig(enable_quantum=False))
    db.insert_batch(ids, vectors, metadata=metadata)
    return db, query


def main() -> None:
    db, query = build_database()
    plain = db.query(query, top_k=10)
    print("plain query, top 10 basins:", sorted({r.metadata["basin"] for r in plain}))
    print("  best loss found:", min(r.metadata["loss"] for r in plain))
    tunneled = db.tunnel_search(query, barrier_threshold=0.8, tunneling_strength=0.6, top_k=10, energy="loss")
    print("tunnel_search, top 10:")
    for result in tunneled:
        how = f"tunneled, T={result.transmission:.2f}" if result.tunneled else "local"
        basin, loss = result.metadata["basin"], result.metadata["loss"]
        print(f"  {result.id:12s} basin={basin:18s} loss={loss:.3f} ({how})")
    print("  best loss found:", min(r.metadata["loss"] for r in tunneled))
    for strength in (0.0, 0.2, 0.4, 0.6, 1.0, 2.0):
        found = db.tunnel_search(query, 0.8, strength, top_k=10)
        print(f"strength {strength:3.1f}: basins covered = {len({r.metadata['basin'] for r in found})}")


if __name__ == "__main__":
    main()
