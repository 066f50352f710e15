"""From a similarity to a score a supervisor can set: the estimated chance, in percent,
that a best suggestion with this similarity is the reply the customer needs.

A logistic curve over the entry's similarity and whether the message is Chinese,
fitted by ``benchmarks/calibrate.py`` on CLINC150's train split and the project's
zh/en set (never on CLINC150's validation split, which the benchmark reports); the
lexical scorer and the hybrid one have their own curves. Within a language the
score is a monotone function of the similarity, so it ranks exactly as the
similarity does. Entries below the best get the same curve, which over-states their
chance a little (the best one is usually right).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt


@dataclass(frozen=True, slots=True)
class Calibration:
    """Coefficients of the logistic curve."""

    similarity: float
    chinese: float
    bias: float

    def percent(
        self, similarity: npt.NDArray[np.float32], chinese: bool | npt.NDArray[np.bool_]
    ) -> npt.NDArray[np.float32]:
        """The estimated chance (0-100) that each entry is the right one; for a batch,
        ``similarity`` has a row per message and ``chinese`` a flag per row."""
        language = np.where(chinese, self.chinese, 0.0).astype(np.float32)
        if language.ndim:
            language = language[:, np.newaxis]
        z = self.similarity * similarity + self.bias + language
        percent: npt.NDArray[np.float32] = (100.0 / (1.0 + np.exp(-z))).astype(np.float32)
        return percent

    def lowest(self, percent: float, chinese: bool) -> float:
        """A similarity below which :meth:`percent` stays under ``percent`` (the curve's
        inverse, lowered a little for float32 rounding); ``-inf`` for 0."""
        if percent <= 0:
            return -math.inf
        if percent >= 100:
            return math.inf
        z = math.log(percent / (100.0 - percent))
        language = self.chinese if chinese else 0.0
        return (z - self.bias - language) / self.similarity - 1e-4


#: Lexical scorer alone.
LEXICAL = Calibration(similarity=10.080, chinese=0.540, bias=-3.719)
#: Lexical and semantic scores fused.
HYBRID = Calibration(similarity=10.045, chinese=-0.452, bias=-4.348)
