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
    (lambda: training_flops(0, 10), r"parameters .* must be > 0, got 0"),
    (lambda: energy_kwh(10, watts=0), r"watts .* must be > 0, got 0"),
])  # fmt: skip
def test_bad_input_is_named(call, match):
    with pytest.raises(ValueError, match=match):
        call()


@pytest.mark.parametrize(("call", "error", "match"), [
    (lambda: training_flops("1e9", 10), TypeError, r"parameters .* must be a number, got '1e9'"),
    (lambda: training_flops(1e9, None), TypeError, r"tokens .* must be a number, got None"),
    (lambda: tokens_seen(10.5, 32, 128), ValueError, r"steps .* must be an int >= 0, got 10.5"),
    (lambda: tokens_seen(10, "32", 128), ValueError, r"batch_size .* positive int, got '32'"),
    (lambda: tokens_seen(10, 32, 0), ValueError, r"block_size .* must be a positive int"),
    (lambda: energy_kwh(-1, 30), ValueError, r"seconds .* must be >= 0, got -1"),
    (lambda: energy_kwh("60", 30), TypeError, r"seconds .* must be a number, got '60'"),
])  # fmt: skip
def test_strings_floats_and_signs_are_named(call, error, match):
    with pytest.raises(error, match=match):
        call()


def test_numpy_numbers_are_numbers():
    np = pytest.importorskip("numpy")
    assert tokens_seen(np.int64(10), 4, 8) == 320
    assert training_flops(np.float32(2.0), np.int64(3)) == 36.0
