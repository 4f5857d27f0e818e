"""Sentences from plain text and markdown: abbreviations, numbers, ellipses, markdown blocks."""

import pytest

from lessons_lib.apps.sentences import markdown_blocks, markdown_to_text, split_sentences

CASES = [
    # abbreviations never end a sentence; "etc." does when a capital follows
    (
        "Use e.g. apples, i.e. fruit, etc. The end.",
        ["Use e.g. apples, i.e. fruit, etc.", "The end."],
    ),
    (
        "BERT vs. GPT: which? Mr. Smith and Dr. Jones met. See Fig. 3 and fig. 4 now.",
        ["BERT vs. GPT: which?", "Mr. Smith and Dr. Jones met.", "See Fig. 3 and fig. 4 now."],
    ),
    (
        "Clark et al. (2019) found it. Cf. Table 2.",
        ["Clark et al. (2019) found it.", "Cf. Table 2."],
    ),
    # decimals, times, initials and dotted acronyms
    (
        "Pi is 3.14 today. At 2 p.m. The U.S. Army came. J. R. R. Tolkien wrote.",
        ["Pi is 3.14 today.", "At 2 p.m. The U.S. Army came.", "J. R. R. Tolkien wrote."],
    ),
    ("It took 35 s. Then 1.5e-3 s.", ["It took 35 s.", "Then 1.5e-3 s."]),
    # numbered items written in a line
    ("Steps: 1. Mix. 2. Bake. 3. Eat.", ["Steps: 1. Mix.", "2. Bake.", "3. Eat."]),
    ("See No. 5 for it.", ["See No. 5 for it."]),
    # ellipses: a lower-case word goes on; " ... " leaves words out
    (
        "Wait... what? He paused... Then left. The plays ... Shakespeare wrote…",
        ["Wait... what?", "He paused...", "Then left.", "The plays ... Shakespeare wrote…"],
    ),
    # quotes and brackets around the full stop; a lower-case word after ? goes on
    (
        'He said "Stop." Then left. (We checked.) Why "why?" she asked.',
        ['He said "Stop."', "Then left.", "(We checked.)", 'Why "why?" she asked.'],
    ),
    # code and math are never cut; $5 and $10 are not math
    (
        "It costs $5 and $10. Then `x. Y` is code. And $a. B$ is math!",
        ["It costs $5 and $10.", "Then `x. Y` is code.", "And $a. B$ is math!"],
    ),
    ("今天天气很好。我们去公园！好吗？", ["今天天气很好。", "我们去公园！", "好吗？"]),
    ("no full stop at the end", ["no full stop at the end"]),
    ("", []),
]


@pytest.mark.parametrize("text, expected", CASES)
def test_tricky_sentences(text, expected):
    assert split_sentences(text) == expected


MARKDOWN = """# 01 · A title

[![Open In Colab](https://colab.x/badge.svg)](https://colab.x/nb) [![Binder](b.svg)](b)

Some *emphasis*, **bold**, __strong__ and a [link](http://x.y "t"); an image ![fig](a.png).
A wrapped line with `snake_case` and $x_t \\cdot y$ kept. It costs \\$5, not \\$6.

```python
x = 1. Y = 2  # code is dropped
```

| a | b |
|---|---|
| 1. Cell | 2 |

$$
x = 1. Y
$$

<div>
html. Here
</div>

1. first item
2. second item,
   continued. Two sentences.
- bullet <b>bold</b><br>next

> quoted. Text

Setext heading
--------------

    indented code. Dropped
---
The end (chapter
05) stays one line.
"""


def test_markdown_is_read_block_by_block():
    assert markdown_blocks(MARKDOWN) == [
        "01 · A title",
        "Some emphasis, bold, strong and a link; an image. A wrapped line with `snake_case` "
        "and $x_t \\cdot y$ kept. It costs $5, not $6.",
        "first item",
        "second item, continued. Two sentences.",
        "bullet bold next",
        "quoted. Text",
        "Setext heading",
        "The end (chapter 05) stays one line.",
    ]
    assert split_sentences(MARKDOWN)[1:5] == [
        "Some emphasis, bold, strong and a link; an image.",
        "A wrapped line with `snake_case` and $x_t \\cdot y$ kept.",
        "It costs $5, not $6.",
        "first item",
    ]


def test_plain_text_is_read_again_unchanged():
    plain = markdown_to_text(MARKDOWN)
    assert markdown_to_text(plain) == plain
    assert split_sentences(plain) == split_sentences(MARKDOWN)


def test_shipped_chapter_texts_are_already_plain():
    from lessons_lib.data.chapter_summaries import chapter_summaries

    for chapter in chapter_summaries():
        for key in ("body", "summary"):
            assert markdown_to_text(chapter[key]) == chapter[key], (chapter["chapter"], key)


def test_backslash_escapes_are_undone_once():
    assert split_sentences(r"An escaped \*star\* and \_under\_. Next.") == [
        "An escaped *star* and _under_.",
        "Next.",
    ]


def test_display_math_on_one_line_and_other_blocks():
    text = "Before.\n$$x = 1. Y$$\nAfter.\n\\[a. B\\]\n<!-- a comment. X -->\n***\nEnd."
    assert split_sentences(text) == ["Before.", "After.", "End."]
    assert split_sentences("~~~\nA. B\n~~~\nC.\n```\nunclosed. D") == ["C."]


def test_a_non_string_gets_a_clear_error():
    with pytest.raises(TypeError, match=r"text must be a string, got list.*'\\n\\n'.join"):
        split_sentences(["One.", "Two."])
