"""Agreement of two models' logits, for the bench scripts (numpy only, so
that bench/model-speed.py runs without PyTorch)."""

import numpy as np


def agreement(out, ref):
    """Top-1 agreement, mean cosine similarity and max abs error of logits
    `out` against `ref` (both [N, classes])."""
    out = np.asarray(out, np.float64).reshape(len(ref), -1)
    ref = np.asarray(ref, np.float64).reshape(len(ref), -1)
    cos = (out * ref).sum(1) / (np.linalg.norm(out, axis=1) * np.linalg.norm(ref, axis=1) + 1e-30)
    return {"top1": float((out.argmax(1) == ref.argmax(1)).mean()),
            "cosine": float(cos.mean()),
            "max_abs": float(np.abs(out - ref).max())}
