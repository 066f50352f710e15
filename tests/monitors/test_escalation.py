"""Who takes over when alice stays silent: the least-loaded online colleague of her
group, never someone away, offline or already at their limit."""

from __future__ import annotations

from monitors.escalation import Candidate, Member, Roster, choose

TEAM = Roster(
    {
        "alice": Member("pre-sale"),
        "bob": Member("pre-sale", max_concurrency=2),
        "carol": Member("pre-sale"),
        "dave": Member("after-sale"),
    }
)


def test_the_least_loaded_online_colleague_in_the_group_takes_over() -> None:
    now = [
        Candidate("alice", "online", 0),
        Candidate("bob", "online", 1),
        Candidate("carol", "online", 3),
        Candidate("dave", "online", 0),
    ]
    assert choose("alice", now, TEAM) == "bob"


def test_away_offline_full_and_the_current_agent_are_skipped() -> None:
    assert (
        choose("alice", [Candidate("bob", "away", 0), Candidate("carol", "online", 5)], TEAM)
        == "carol"
    )
    assert (
        choose("alice", [Candidate("bob", "online", 2), Candidate("carol", "offline", 0)], TEAM)
        is None
    )
    assert choose("alice", [Candidate("alice", "online", 0)], TEAM) is None


def test_without_a_roster_anyone_online_may_take_it_and_ties_go_by_id() -> None:
    people = [
        Candidate("zoe", "online", 1),
        Candidate("yan", "online", 1),
        Candidate("max", "away", 0),
    ]
    assert choose("alice", people, Roster()) == "yan"
    assert choose(None, people, Roster()) == "yan"
