"""Teams keep their library in spreadsheets and TOML files: both formats carry the
same data, and a bad file is rejected whole with the line and field named."""

from __future__ import annotations

import pytest

from scripts_library.bundled import bundled_scripts
from scripts_library.files import LibraryError, dump_csv, dump_toml, parse_csv, parse_toml

GOOD = """
[[script]]
id = "ship"
category = "pre-sale"
title = "发货时间"
questions = ["几天发货", "什么时候发"]
keywords = ["发货"]
reply = "亲，48 小时内发货"
"""


def test_toml_and_csv_round_trip_to_the_same_library() -> None:
    library = bundled_scripts()
    as_csv = dump_csv(library)
    as_toml = dump_toml(library)
    assert parse_csv(as_csv) == library
    assert parse_toml(as_toml) == library
    assert parse_toml(dump_toml(parse_csv(as_csv))) == parse_csv(dump_csv(parse_toml(as_toml)))


def test_csv_with_a_byte_order_mark_and_quoted_cells() -> None:
    text = (
        "\ufeffid,category,title,questions,keywords,reply\n"
        'a,closing,"Bye, now",ok thanks|bye,,"Thanks, ""see"" you"\n'
    )
    [script] = parse_csv(text)
    assert script.title == "Bye, now"
    assert script.questions == ("ok thanks", "bye")
    assert script.reply == 'Thanks, "see" you'


def problems(parse: object, text: str) -> list[tuple[int | None, str | None]]:
    with pytest.raises(LibraryError) as error:
        parse(text)  # type: ignore[operator]
    return [(p.line, p.field) for p in error.value.problems]


def test_toml_errors_name_the_line_and_field() -> None:
    bad = (
        GOOD + '\n[[script]]\nid = "two"\ncategory = "x"\ntitle = ""\nquestions = []\nreply = "r"\n'
    )
    assert problems(parse_toml, bad) == [(10, "title"), (10, "questions")]
    assert problems(parse_toml, GOOD + GOOD) == [(10, "id")]  # duplicate id
    assert problems(parse_toml, "[[script]\n")[0][0] == 1  # not TOML
    assert problems(parse_toml, "scripts = []\n") == [(None, "scripts")]
    assert problems(parse_toml, GOOD.replace("reply =", 'answer = "x"\nreply =')) == [(2, "answer")]


def test_csv_errors_name_the_line_and_field() -> None:
    header = "id,category,title,questions,keywords,reply\n"
    assert problems(parse_csv, header + "a,c,t,q,,r\nbad id,c,t,q,,r\n") == [(3, "id")]
    assert problems(parse_csv, "id,category,title,questions,reply\n") == [(1, "keywords")]
    assert problems(parse_csv, header + "a,c,t,q,,r,extra\n") == [(2, None)]
    assert problems(parse_csv, header + "a,c,t,,,r\n") == [(2, "questions")]


def test_a_bar_inside_a_question_is_refused_because_csv_could_not_keep_it() -> None:
    assert problems(parse_toml, GOOD.replace("几天发货", "几天|发货")) == [(2, "questions")]
