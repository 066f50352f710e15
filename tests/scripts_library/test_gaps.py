"""The team sees which common questions the library still lacks: unmatched messages
grouped by similarity and ranked by how often they come."""

from scripts_library.gaps import group_gaps


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
