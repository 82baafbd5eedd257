"""Seed document: "Complete Example: Quantum-Enhanced Training".

As written, with quantum_sdk='mock' instead of 'ionq' and no keys (PINECONE_KEY and IONQ_KEY are
None, so the database uses the in-memory store). The document leaves `training_data`,
`data_loader` and `extract_embedding` undefined: the preamble builds them from scikit-learn's
bundled handwritten digits, upsampled from 8x8 to 28x28 = 784 pixels to fit the document's
Linear(784, 4). Three epochs instead of ten keep the run short.
"""

import numpy as np
import torch
from scipy.ndimage import zoom
from sklearn.datasets import load_digits

from q_store import DatabaseConfig, QuantumDatabase, QuantumLayer

# --- preamble (not in the document) ---
torch.manual_seed(0)
PINECONE_KEY = None
IONQ_KEY = None
digits = load_digits()
images = np.stack([zoom(image, 3.5, order=1) for image in digits.images[:600]]) / 16.0
training_data = [
    (image.reshape(784).astype(np.float32), int(label))
    for image, label in zip(images, digits.target[:600], strict=True)
]
dataset = torch.utils.data.TensorDataset(
    torch.tensor(np.stack([x for x, _ in training_data])), torch.tensor([y for _, y in training_data])
)
data_loader = torch.utils.data.DataLoader(dataset, batch_size=32, shuffle=True)


def extract_embedding(model):
    """A 784-dimensional description of the model: the input directions its encoder weighs."""
    return model.encode.weight.detach().sum(dim=0).numpy()


EPOCHS = 3
# --- the document's snippet ---

# 1. Setup quantum database for training data
db_config = DatabaseConfig(enable_quantum=True, enable_superposition=True, pinecone_api_key=PINECONE_KEY)

training_db = QuantumDatabase(db_config)

# 2. Store training data with contexts
for i, (data, label) in enumerate(training_data):
    training_db.insert(
        id=f"train_{i}", vector=data, contexts=[(f"class_{label}", 1.0)], metadata={"label": label}
    )

# 3. Create hybrid model with quantum layer
model_config = DatabaseConfig(quantum_sdk="mock", ionq_api_key=IONQ_KEY)


class QuantumClassifier(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self.encode = torch.nn.Linear(784, 4)
        self.quantum = QuantumLayer(n_qubits=4, depth=2, config=model_config)
        self.decode = torch.nn.Linear(4, 10)

    def forward(self, x):
        x = self.encode(x)
        x = self.quantum(x)
        x = self.decode(x)
        return x


model = QuantumClassifier()

# 4. Train with standard PyTorch
optimizer = torch.optim.Adam(model.parameters(), lr=0.01)
criterion = torch.nn.CrossEntropyLoss()

for epoch in range(EPOCHS):
    for batch_x, batch_y in data_loader:
        optimizer.zero_grad()
        output = model(batch_x)
        loss = criterion(output, batch_y)
        loss.backward()  # Quantum gradients computed automatically
        optimizer.step()

    print(f"Epoch {epoch}: Loss = {loss.item():.4f}")

# 5. Find similar models using quantum search
model_embedding = extract_embedding(model)
similar_models = training_db.tunnel_search(query=model_embedding, barrier_threshold=0.7, top_k=5)

# Not in the document.
print("closest training examples to the model's input direction:", [m.id for m in similar_models])
