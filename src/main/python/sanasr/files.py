"""File helpers shared by export, evaluation and the GPU job (no torch import)."""
import hashlib


def sha256_of(path: str) -> str:
    """Hex SHA-256 of a file, read in 1 MiB chunks (model files are tens of MB)."""
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()
