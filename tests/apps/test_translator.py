"""The date translator: shapes, masks, decoding, bad input and a short training run."""

import pytest
import torch

from lessons_lib.apps import translator as T
from lessons_lib.data import dates as D

TINY = T.TranslatorConfig(n_embd=32, n_head=2, n_layer=1)


def tiny_model(seed: int = 0) -> T.Translator:
    torch.manual_seed(seed)
    return T.Translator(TINY).eval()


def test_batches_pad_shift_and_round_trip():
    source = T.source_batch(["May 1, 2020", "1999-12-31"], max_source=32)
    assert source.shape == (2, 11) and source[1, 10] == 0  # the shorter one is padded
    assert T.SOURCE.decode(source[0].tolist()) == "May 1, 2020"
    target_in, targets = T.target_batch(["2020年5月1日", "1999年12月31日"])
    assert target_in.shape == targets.shape == (2, 12)  # 11 characters and <eos>
    assert target_in[0, 0] == T.TARGET.stoi[T.BOS]
    assert torch.equal(target_in[1, 1:], targets[1, :-1])  # the decoder input is shifted by one
    assert targets[1, -1] == T.TARGET.stoi[T.EOS]
    assert T.TARGET.decode(targets[0].tolist()) == "2020年5月1日"


def test_forward_shapes_loss_and_cross_attention_maps():
    model = tiny_model()
    source = T.source_batch(["May 1, 2020", "the 3rd of June, 1700"], 32)  # (2, 21)
    target_in, targets = T.target_batch(["2020年5月1日", "1700年6月3日"])  # (2, 10)
    logits, loss = model(source, target_in, targets)
    assert logits.shape == (2, 10, len(T.TARGET)) and loss.item() > 0
    maps = model.cross_attention()
    assert maps.shape == (1, 2, 2, 10, 21)  # (layers, B, heads, T_out, S_in)
    torch.testing.assert_close(maps.sum(-1), torch.ones(1, 2, 2, 10))
    assert torch.all(maps[:, 0, :, :, 11:] == 0)  # nothing attends to the padding


def test_padding_does_not_change_a_translation_and_the_decoder_is_causal():
    model = tiny_model()
    alone = T.source_batch(["May 1, 2020"], 32)
    padded = T.source_batch(["May 1, 2020", "the 23rd of September, 2021"], 32)[:1]
    target_in, _ = T.target_batch(["2020年5月1日"])
    torch.testing.assert_close(model(alone, target_in)[0], model(padded, target_in)[0])
    changed = target_in.clone()
    changed[0, 6] = 3  # a later character of the output so far
    before, after = model(alone, target_in)[0], model(alone, changed)[0]
    torch.testing.assert_close(before[:, :6], after[:, :6])  # positions 0..5 cannot see it
    assert not torch.allclose(before[:, 6:], after[:, 6:])


def test_one_beam_is_the_greedy_argmax_loop():
    model = tiny_model(seed=1)
    source = T.source_batch(["Mar 5, 2021"], 32)
    memory, mask = model.encode(source)
    prefix = [T.TARGET.stoi[T.BOS]]
    with torch.no_grad():
        for _ in range(TINY.max_target - 1):
            token = model.decode(torch.tensor([prefix]), memory, mask)[0, -1].argmax().item()
            prefix.append(token)
            if token == T.TARGET.stoi[T.EOS]:
                break
    assert model.translate("Mar 5, 2021") == T.TARGET.decode(prefix)


def test_translate_takes_a_string_or_a_list_and_never_crashes_on_odd_text():
    model = tiny_model()
    assert isinstance(model.translate("May 1, 2020"), str)
    odd = ["hello world", "the 5th of März, 2021 ✓", "", "x" * 500]
    out = model.translate(odd, beam_size=2)
    assert len(out) == 4
    assert all(set(text) <= set(T.TARGET_CHARS) for text in out)  # it can only write dates
    with pytest.raises(TypeError, match="a string or a list of strings"):
        model.translate(2021)
    with pytest.raises(ValueError, match="beam_size must be a positive int"):
        model.translate("May 1, 2020", beam_size=0)


def test_bad_batches_get_clear_errors():
    with pytest.raises(ValueError, match="max_source must be a positive int, got 0"):
        T.source_batch(["May 1, 2020"], 0)  # nothing but padding
    for batch in (T.source_batch, T.target_batch):
        args = (32,) if batch is T.source_batch else ()
        with pytest.raises(TypeError, match="texts must be a list of strings, e.g."):
            batch("May 1, 2020", *args)  # one string would be a batch of characters
        with pytest.raises(ValueError, match="texts is empty"):
            batch([], *args)
        with pytest.raises(TypeError, match=r"texts\[1\] must be a str, got NoneType"):
            batch(["1", None], *args)
    # the target side has no <unk>: an unknown character would become padding, which the
    # loss ignores, so the text is refused instead of being silently shortened
    with pytest.raises(ValueError, match=r"texts\[1\] = '2020年5月1号' has '号'.*0123456789年月日"):
        T.target_batch(["2020年5月1日", "2020年5月1号"])
    with pytest.raises(ValueError, match="has '-', which the translator cannot write"):
        T.target_batch(["2020-05-01"])


def test_tensors_the_model_cannot_read_get_clear_errors():
    model = tiny_model()
    target_in, _ = T.target_batch(["2020年5月1日"])
    with pytest.raises(ValueError, match=r"source has 40 positions, .* at most 32"):
        model(T.source_batch(["x" * 40], 40), target_in)
    with pytest.raises(ValueError, match=r"source must be a \(B, T\) tensor of ids"):
        model([[3, 4]], target_in)
    source = T.source_batch(["May 1, 2020"], 32)
    with pytest.raises(ValueError, match=r"target_in has 20 positions, .* at most 14"):
        model(source, torch.ones(1, 20, dtype=torch.long))
    with pytest.raises(TypeError, match="text must be a str"):
        model.beams(["May 1, 2020"])


def test_exact_match_is_reported_per_form():
    model = tiny_model()
    pairs = D.date_pairs(20, seed=0, split="test")
    scores = T.translation_exact_match(model, pairs)
    assert set(scores) == {*(f for *_, f in pairs), "all"}
    assert all(0.0 <= s <= 1.0 for s in scores.values())
    two = T.translation_exact_match(model, [(english, chinese) for english, chinese, _ in pairs])
    assert two == {"all": scores["all"]}  # (english, chinese) pairs have no form
    with pytest.raises(TypeError, match=r"pairs\[0\] must be an \(english, chinese, form\)"):
        T.translation_exact_match(model, ["May 1, 2020"])
    with pytest.raises(TypeError, match="pairs must be a list"):
        T.translation_exact_match(model, None)


@pytest.mark.slow
def test_a_short_training_run_learns_and_ctrl_c_keeps_what_was_learned(monkeypatch, capsys):
    model = tiny_model()
    losses = T.train_translator(model, steps=120, batch_size=32, lr=3e-3)
    assert len(losses) == 120 and sum(losses[-10:]) / 10 < 0.5 * sum(losses[:10]) / 10
    learned = {k: v.clone() for k, v in model.state_dict().items()}
    calls, real_pairs = [], D.date_pairs

    def interrupted(n, seed=0, split="train"):
        calls.append(seed)
        if len(calls) > 3:
            raise KeyboardInterrupt
        return real_pairs(n, seed, split)

    monkeypatch.setattr(D, "date_pairs", interrupted)
    losses = T.train_translator(model, steps=50, batch_size=8)
    assert len(losses) == 3 and "Stopped after 3 steps" in capsys.readouterr().out
    assert any(not torch.equal(learned[k], v) for k, v in model.state_dict().items())
    assert not model.training


def test_a_batch_translates_as_each_text_alone_and_one_beam_is_the_batched_greedy():
    model = tiny_model(seed=2)
    texts = ["May 1, 2020", "the 23rd of September, 2021", "1700-01-31"]
    assert model.translate(texts) == [model.translate(t) for t in texts]
    assert model.translate([]) == []
    # one beam through beam_search is the batched greedy decoder
    assert [model.beams(t, 1)[0][0] for t in texts] == model.translate(texts)
    # beams with length normalisation: translate and exact match pass it through
    per_char = [model.beams(t, 3, length_penalty=1.0)[0][0] for t in texts]
    assert model.translate(texts, beam_size=3, length_penalty=1.0) == per_char
    pairs = [(t, p) for t, p in zip(texts, per_char, strict=True) if p]
    assert pairs and T.translation_exact_match(model, pairs, 3, 1.0)["all"] == 1.0


def test_beams_are_ranked_by_the_log_probability_the_model_gives_them():
    model = tiny_model(seed=3)
    text = "the 5th of March, 2021"
    found = model.beams(text, beam_size=3)
    assert len(found) == 3 and [lp for _, lp in found] == sorted(
        (lp for _, lp in found), reverse=True
    )
    assert found[0][0] == model.translate(text, beam_size=3)
    greedy, greedy_lp = model.beams(text, beam_size=1)[0]
    assert greedy == model.translate(text) and found[0][1] >= greedy_lp - 1e-6
    # each score is the teacher-forced sum of log p(next character), <eos> included
    source = T.source_batch([text], 32)
    for chinese, log_prob in found:
        target_in, targets = T.target_batch([chinese])
        logits, _ = model(source, target_in)
        picked = logits.log_softmax(-1)[0].gather(-1, targets[0][:, None])
        assert picked.sum().item() == pytest.approx(log_prob, abs=1e-4)
