"""``q-store demo``: the seed document's complete example, end to end, on real data.

1. Store scikit-learn's bundled handwritten digits (8x8 images, 64 features, no download) in a
   QuantumDatabase: embedded Milvus when q-store-milvus is installed, else the in-memory store.
   Each image carries the context of its class.
2. Select the training data by context: for every class, the most typical images (those closest
   to the class mean, queried with ``context='class_k'``).
3. Train ``Linear(64, 4) -> QuantumLayer(4 qubits, depth 2) -> Linear(4, 10)`` with progress
   bars, per-epoch loss and accuracy, beside a classical model of the same width
   (``Linear(64, 4) -> Linear(4, 4) + tanh -> Linear(4, 10)``). Both are tested on held-out images.
4. Save the training curves as a PNG.
5. Embed several trained models (their predicted class probabilities on probe images), store the
   embeddings, and find the models most similar to the hybrid one with ``tunnel_search``.

Everything runs locally; with the mock backend it takes well under a minute on two cores.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import attrs
import numpy as np
import torch

from q_store.config import DatabaseConfig
from q_store.database import QuantumDatabase
from q_store.errors import PluginNotFoundError
from q_store.plugins import get_registry
from q_store.torch_layer import QuantumLayer

__all__ = ["DemoReport", "run_demo"]

PROBE_IMAGES = 100


@attrs.frozen
class DemoReport:
    store: str
    backend: str
    selected: int
    quantum_test_accuracy: float
    classical_test_accuracy: float
    quantum_parameters: int
    classical_parameters: int
    similar_models: list[dict[str, Any]]
    plot: Path
    seconds: float


def _require(module: str) -> Any:
    try:
        return __import__(module)
    except ImportError as exc:
        raise PluginNotFoundError(
            f"the demo needs {module!r}: pip install 'q-store[demo]' (scikit-learn, matplotlib, tqdm)"
        ) from exc


def _load_digits(seed: int) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    _require("sklearn")
    from sklearn.datasets import load_digits
    from sklearn.model_selection import train_test_split

    digits = load_digits()
    features = (digits.data / 16.0).astype(np.float32)
    split: list[np.ndarray] = train_test_split(
        features, digits.target, test_size=0.25, stratify=digits.target, random_state=seed
    )
    return split[0], split[1], split[2], split[3]


def _store_config(output: Path, store: str | None) -> tuple[str, dict[str, Any]]:
    if store is None:
        store = "milvus" if "milvus" in get_registry().vector_store_names() else "memory"
    if store == "milvus":
        return store, {"uri": str(output / "training-data.db")}
    return store, {}


def _models(
    config: DatabaseConfig, entanglement: str = "linear", depth: int = 2
) -> dict[str, torch.nn.Module]:
    quantum = torch.nn.Sequential(
        torch.nn.Linear(64, 4),
        QuantumLayer(4, depth, config, entanglement=entanglement),
        torch.nn.Linear(4, 10),
    )
    classical = torch.nn.Sequential(
        torch.nn.Linear(64, 4), torch.nn.Linear(4, 4), torch.nn.Tanh(), torch.nn.Linear(4, 10)
    )
    return {"hybrid": quantum, "classical": classical}


def _fit(
    model: torch.nn.Module,
    data: tuple[torch.Tensor, torch.Tensor, torch.Tensor, torch.Tensor],
    epochs: int,
    label: str,
    log: Callable[[str], None],
    progress: bool,
) -> list[dict[str, float]]:
    from tqdm import tqdm

    x, y, x_test, y_test = data
    optimizer = torch.optim.Adam(model.parameters(), lr=0.02)
    criterion = torch.nn.CrossEntropyLoss()
    generator = torch.Generator().manual_seed(0)
    history = []
    for epoch in range(epochs):
        order = torch.randperm(len(x), generator=generator)
        batches = range(0, len(x), 32)
        total = 0.0
        for start in tqdm(
            batches, desc=f"{label} epoch {epoch + 1}/{epochs}", leave=False, disable=not progress
        ):
            index = order[start : start + 32]
            optimizer.zero_grad()
            loss = criterion(model(x[index]), y[index])
            loss.backward()
            optimizer.step()
            total += loss.item() * len(index)
        with torch.no_grad():
            train_accuracy = (model(x).argmax(1) == y).float().mean().item()
            test_accuracy = (model(x_test).argmax(1) == y_test).float().mean().item()
        history.append(
            {"loss": total / len(x), "train_accuracy": train_accuracy, "test_accuracy": test_accuracy}
        )
        log(
            f"  {label:9s} epoch {epoch + 1:2d}: loss {total / len(x):.4f}  "
            f"train acc {train_accuracy:.3f}  test acc {test_accuracy:.3f}"
        )
    return history


def _plot(histories: dict[str, list[dict[str, float]]], path: Path) -> None:
    _require("matplotlib")
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    figure, (left, right) = plt.subplots(1, 2, figsize=(10, 4))
    for label, history in histories.items():
        epochs = range(1, len(history) + 1)
        left.plot(epochs, [h["loss"] for h in history], marker="o", label=label)
        right.plot(epochs, [h["test_accuracy"] for h in history], marker="o", label=label)
    left.set(title="training loss", xlabel="epoch", ylabel="cross-entropy")
    right.set(title="test accuracy (held-out digits)", xlabel="epoch", ylabel="accuracy", ylim=(0, 1))
    for axes in (left, right):
        axes.grid(alpha=0.3)
        axes.legend()
    figure.suptitle("Q-Store demo: Linear(64,4) -> QuantumLayer(4, depth 2) -> Linear(4,10) on digits")
    figure.tight_layout()
    figure.savefig(path, dpi=120)
    plt.close(figure)


def run_demo(
    *,
    backend: str = "mock",
    epochs: int = 15,
    output: Path = Path("q-store-demo"),
    store: str | None = None,
    per_class: int = 100,
    seed: int = 0,
    log: Callable[[str], None] = print,
    progress: bool = True,
) -> DemoReport:
    """Run the demo; write ``training_curve.png`` and ``report.json`` into ``output``."""
    _require("tqdm")
    # Misspelt plugin names fail here, before the output folder or any data is written.
    get_registry().backend_class(backend)
    if store is not None:
        get_registry().vector_store_class(store)
    started = time.perf_counter()
    output.mkdir(parents=True, exist_ok=True)
    torch.manual_seed(seed)
    x_train, x_test, y_train, y_test = _load_digits(seed)

    # 1. Store the training data with class contexts.
    store_name, store_options = _store_config(output, store)
    db_config = DatabaseConfig(
        enable_quantum=True,
        quantum_sdk=backend,
        vector_store=store_name,
        vector_store_options=store_options,
        seed=seed,
    )
    ids = [f"train_{i}" for i in range(len(x_train))]
    with QuantumDatabase(db_config) as training_db:
        training_db.insert_batch(
            ids,
            x_train,
            contexts=[[(f"class_{label}", 1.0)] for label in y_train],
            metadata=[{"label": int(label)} for label in y_train],
        )
        log(f"stored {len(ids)} training images in the {store_name!r} store with class contexts")

        # 2. Select training data by context: the most typical images of each class.
        selected: list[int] = []
        for label in range(10):
            centre = x_train[y_train == label].mean(axis=0)
            results = training_db.query(centre, context=f"class_{label}", top_k=per_class)
            selected += [int(r.id.split("_")[1]) for r in results]
        log(f"selected {len(selected)} images by context ({per_class} per class)")

    data = (
        torch.tensor(x_train[selected]),
        torch.tensor(y_train[selected]),
        torch.tensor(x_test),
        torch.tensor(y_test),
    )
    # 3. Train the hybrid model and a classical model of the same width.
    model_config = DatabaseConfig(quantum_sdk=backend)
    models = _models(model_config)
    histories = {label: _fit(model, data, epochs, label, log, progress) for label, model in models.items()}

    # 4. The training curves.
    plot = output / "training_curve.png"
    _plot(histories, plot)
    log(f"training curves saved to {plot}")

    # 5. Model embeddings and similar models.
    similar = _similar_models(models, data, model_config, epochs, seed, log, progress)

    def count(model: torch.nn.Module) -> int:
        return sum(p.numel() for p in model.parameters())

    report = DemoReport(
        store=store_name,
        backend=backend,
        selected=len(selected),
        quantum_test_accuracy=histories["hybrid"][-1]["test_accuracy"],
        classical_test_accuracy=histories["classical"][-1]["test_accuracy"],
        quantum_parameters=count(models["hybrid"]),
        classical_parameters=count(models["classical"]),
        similar_models=similar,
        plot=plot,
        seconds=time.perf_counter() - started,
    )
    (output / "report.json").write_text(
        json.dumps({**attrs.asdict(report), "plot": str(plot), "histories": histories}, indent=2)
    )
    log(
        f"test accuracy: hybrid {report.quantum_test_accuracy:.3f} ({report.quantum_parameters} parameters), "
        f"classical {report.classical_test_accuracy:.3f} ({report.classical_parameters} parameters)"
    )
    log(f"done in {report.seconds:.1f} s; report in {output / 'report.json'}")
    return report


def _similar_models(
    models: dict[str, torch.nn.Module],
    data: tuple[torch.Tensor, torch.Tensor, torch.Tensor, torch.Tensor],
    config: DatabaseConfig,
    epochs: int,
    seed: int,
    log: Callable[[str], None],
    progress: bool,
) -> list[dict[str, Any]]:
    """Train a few more variants, embed every model by its predictions on probe images, and
    search for the models most similar to the hybrid one (tunneling may reach other families)."""
    probes = data[2][:PROBE_IMAGES]
    zoo = dict(models)
    for entanglement in ("circular", "full"):
        for depth in (1, 3):
            torch.manual_seed(seed + depth)
            variant = _models(config, entanglement, depth)["hybrid"]
            _fit(variant, data, max(1, epochs // 3), f"{entanglement}-d{depth}", lambda _: None, progress)
            zoo[f"hybrid-{entanglement}-depth{depth}"] = variant
    with QuantumDatabase(DatabaseConfig(enable_quantum=False)) as model_db:
        for name, model in zoo.items():
            with torch.no_grad():
                embedding = torch.softmax(model(probes), dim=1).reshape(-1).numpy()
                accuracy = (model(data[2]).argmax(1) == data[3]).float().mean().item()
            model_db.insert(name, embedding, metadata={"test_error": 1 - accuracy})
        with torch.no_grad():
            query = torch.softmax(models["hybrid"](probes), dim=1).reshape(-1).numpy()
        results = model_db.tunnel_search(query, barrier_threshold=0.9, tunneling_strength=0.6, top_k=5)
    similar: list[dict[str, Any]] = [
        {
            "model": r.id,
            "similarity": round(r.similarity, 4),
            "test_error": round(float(r.metadata["test_error"]), 4),
            "tunneled": r.tunneled,
            "transmission": round(r.transmission, 4),
        }
        for r in results
    ]
    log("models most similar to the hybrid model (tunnel_search):")
    for row in similar:
        how = f"tunneled, T={row['transmission']:.2f}" if row["tunneled"] else "direct"
        name, similarity, error = row["model"], row["similarity"], row["test_error"]
        log(f"  {name:26s} similarity {similarity:.3f}  test error {error:.3f}  ({how})")
    return similar
