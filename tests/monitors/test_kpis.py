"""The manuals' scoring: reply rate and average response time fall into bands, faults
cost points, and the band edges belong to the better band."""

from __future__ import annotations

import pytest

from bot.settings import KpiSettings
from monitors.kpis import Figures, as_json, score
from tests.support.rules import SCORING

BANDS = SCORING


def replied(received: int, replied: int, avg: float | None = 20.0, **extra: object) -> Figures:
    return Figures(
        customers_received=received,
        customers_replied=replied,
        response_seconds_avg=avg,
        **extra,  # type: ignore[arg-type]
    )


@pytest.mark.parametrize(
    ("received", "answered", "points"),
    [
        (50, 49, 100),  # exactly 98 %
        (100, 98, 100),
        (1000, 979, 80),  # 97.9 %
        (20, 19, 80),  # exactly 95 %
        (25, 23, 60),  # exactly 92 %
        (1000, 919, 0),
        (1, 0, 0),
    ],
)
def test_reply_rate_bands(received: int, answered: int, points: float) -> None:
    assert score(replied(received, answered), BANDS).reply_rate == points


@pytest.mark.parametrize(
    ("avg", "points"),
    [(3.0, 100), (25.0, 100), (25.001, 80), (30.0, 80), (30.5, 60), (40.0, 60), (40.01, 0)],
)
def test_response_time_bands(avg: float, points: float) -> None:
    assert score(replied(10, 10, avg), BANDS).response == points


def test_the_total_weighs_bands_and_adds_faults_and_qa_points() -> None:
    figures = replied(100, 96, 28.0, unanswered=2, qa_points=-5.0)
    scores = score(figures, BANDS)
    assert (scores.reply_rate, scores.response, scores.faults) == (80, 80, -20)
    assert scores.total == 0.5 * 80 + 0.5 * 80 - 20 - 5


def test_no_customers_means_no_score_rather_than_zero() -> None:
    scores = score(Figures(), BANDS)
    assert (scores.reply_rate, scores.response, scores.total) == (None, None, None)


def test_bands_and_weights_come_from_the_config() -> None:
    strict = KpiSettings(
        reply_rate_bands=[(0.99, 100)],
        response_bands=[(10, 100)],
        reply_rate_weight=1,
        response_weight=0,
        unanswered_points=-1,
    ).scoring()
    scores = score(replied(100, 99, 15.0, unanswered=3), strict)
    assert (scores.reply_rate, scores.response, scores.total) == (100, 0, 97)


def test_the_json_shape_has_rates_and_scores() -> None:
    data = as_json(replied(4, 3, 12.0, sla_within=3, sla_breached=1), BANDS)
    assert data["reply_rate"] == 0.75
    assert data["sla_compliance"] == 0.75
    assert data["scores"]["reply_rate"] == 0
    assert data["customers_received"] == 4


def test_customers_left_without_any_reply_score_nothing_and_cost_faults() -> None:
    scores = score(replied(3, 0, None, unanswered=3), BANDS)
    assert (scores.reply_rate, scores.response, scores.faults, scores.total) == (0, 0, -30, -30)


def test_a_qa_review_replaces_the_automatic_unanswered_fault() -> None:
    # Three unanswered: QA confirmed one at -10 and dismissed another; one is not reviewed.
    figures = replied(10, 10, 12.0, unanswered=3, unanswered_reviewed=2, qa_points=-10)
    scores = score(figures, BANDS)
    assert scores.faults == -10  # only the unreviewed one
    assert scores.total == 100 - 10 - 10
