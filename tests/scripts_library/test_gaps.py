"""The team sees which common questions the library still lacks: unmatched messages
grouped by similarity and ranked by how often they come."""

from scripts_library.gaps import Answered, group_gaps, most_asked
from scripts_library.model import Script


def test_near_duplicates_group_and_frequent_groups_come_first() -> None:
    messages = [
        ("你们招人吗", 10.0),
        ("可以寄到美国吗", 9.0),
        ("能寄到美国吗？", 8.0),
        ("可以寄到美國嗎", 7.0),
        ("do you ship to canada", 6.0),
        ("do you ship to Canada?", 5.0),
    ]
    groups = group_gaps(messages)
    assert [g.count for g in groups] == [3, 2, 1]
    usa = groups[0]
    assert usa.question == "可以寄到美国吗"
    assert (usa.first_seen, usa.last_seen) == (7.0, 9.0)
    assert len(usa.examples) == 3
    assert groups[2].question == "你们招人吗"


def test_empty_text_is_skipped() -> None:
    assert group_gaps([("？？？", 1.0)]) == []


def test_the_most_asked_mix_answered_scripts_and_gaps_most_asked_first() -> None:
    delivery = Script(
        id="delivery", category="c", title="Delivery", questions=("几天发货",), reply="48 小时内"
    )
    answered = [
        Answered("delivery", 5, 4),
        Answered("gone", 2, 0),  # a script deleted since: its id names it
        Answered("never", 0, 0),
    ]
    gaps = group_gaps([("你们老板是谁", 2.0), ("你们老板是谁？", 1.0), ("招人吗", 3.0)])
    found = most_asked(answered, {"delivery": delivery}, gaps)
    assert [(a.question, a.count, a.script_id) for a in found] == [
        ("几天发货", 5, "delivery"),
        ("gone", 2, "gone"),
        ("你们老板是谁", 2, None),
        ("招人吗", 1, None),
    ]
    assert (found[0].title, found[0].acceptance) == ("Delivery", 0.8)
    assert (found[2].acceptance, found[2].examples) == (None, ("你们老板是谁", "你们老板是谁？"))
    assert len(most_asked(answered, {}, gaps, top=2)) == 2
