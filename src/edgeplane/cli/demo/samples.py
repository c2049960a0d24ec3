"""Sample models the demo trains itself (no downloads): small scikit-learn classifiers."""

from __future__ import annotations

from pathlib import Path


def train_classifier(dest: Path, *, seed: int, n_features: int = 4) -> float:
    """Train a small logistic regression on synthetic data, save ``model.joblib`` into ``dest``, and
    return its held-out accuracy."""
    import joblib
    import numpy as np
    from sklearn.linear_model import LogisticRegression

    rng = np.random.default_rng(seed)
    x = rng.normal(size=(600, n_features)).astype(np.float32)
    w = np.arange(1, n_features + 1, dtype=np.float32)
    y = (x @ w + rng.normal(scale=0.5 + seed * 0.1, size=600) > 0).astype(np.int64)
    model = LogisticRegression(max_iter=200).fit(x[:500], y[:500])
    dest.mkdir(parents=True, exist_ok=True)
    joblib.dump(model, dest / "model.joblib")
    return float(model.score(x[500:], y[500:]))
