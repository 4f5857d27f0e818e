"""6·N·D, tokens seen and energy: hand-worked numbers and the published GPT-3 figure."""

import pytest

from lessons_lib.measures.compute import (
    GPT3_FLOPS,
    GPT3_PARAMETERS,
    GPT3_TOKENS,
    energy_kwh,
    tokens_seen,
    training_flops,
)


def test_six_n_d_by_hand():
    assert training_flops(10, 100) == 6_000
    assert tokens_seen(steps=800, batch_size=32, block_size=128) == 3_276_800


def test_gpt3s_published_compute_is_about_six_n_d():
    assert training_flops(GPT3_PARAMETERS, GPT3_TOKENS) == pytest.approx(GPT3_FLOPS, rel=0.01)


def test_energy_is_power_times_time():
    assert energy_kwh(1800, watts=2000) == pytest.approx(1.0)
    assert energy_kwh(0, watts=50) == 0


@pytest.mark.parametrize(("call", "match"), [
    (lambda: training_flops(0, 10), "must be positive"),
    (lambda: energy_kwh(10, watts=0), "watts > 0"),
])  # fmt: skip
def test_bad_input_is_named(call, match):
    with pytest.raises(ValueError, match=match):
        call()
