"""Tests of pretrained.gguf_file: a GGUF file read by hand gives what the ``gguf`` package
reads (metadata, tensor table, every tensor de-quantized), and bad files get clear errors."""

from __future__ import annotations

import gguf
import numpy as np
import pytest
import torch
from gguf import GGMLQuantizationType as Q
from gguf import quants

from lessons_lib.pretrained.gguf_file import GGUFError, read_gguf


@pytest.fixture(scope="module")
def tiny(tmp_path_factory):
    """A small GGUF file written by the ``gguf`` package: metadata of many types, four tensors
    of the four types the reader knows."""
    path = tmp_path_factory.mktemp("gguf") / "tiny.gguf"
    writer = gguf.GGUFWriter(path, "llama")
    writer.add_block_count(2)
    writer.add_rope_freq_base(10000.0)
    writer.add_bool("tiny.flag", True)
    writer.add_int64("tiny.minus", -5)
    writer.add_token_list(["<s>", "a", "b", "ab", "中"])
    writer.add_array("tiny.scores", [0.5, -1.0, 2.0])
    writer.add_string("tiny.text", "héllo")
    rng = np.random.default_rng(0)
    weights = {
        name: rng.normal(size=(4, 64)).astype(np.float32) for name in ("q8", "q41", "f16", "f32")
    }
    writer.add_tensor("q8", quants.quantize(weights["q8"], Q.Q8_0), raw_dtype=Q.Q8_0)
    writer.add_tensor("q41", quants.quantize(weights["q41"], Q.Q4_1), raw_dtype=Q.Q4_1)
    writer.add_tensor("f16", weights["f16"].astype(np.float16))
    writer.add_tensor("f32", weights["f32"])
    writer.write_header_to_file()
    writer.write_kv_data_to_file()
    writer.write_tensors_to_file()
    writer.close()
    return path


def test_the_metadata_and_table_equal_the_gguf_package(tiny):
    ours, theirs = read_gguf(tiny), gguf.GGUFReader(tiny)
    assert ours.version == 3
    for key, field in theirs.fields.items():
        if not key.startswith("GGUF."):
            want = field.contents()
            got = ours.metadata[key]
            assert got == pytest.approx(want) if isinstance(want, float) else got == want, key
    assert ours.metadata["tiny.text"] == "héllo" and ours.metadata["tiny.minus"] == -5
    assert ours.data_start == theirs.data_offset
    for t in theirs.tensors:
        info = ours.tensors[t.name]
        assert info.shape == tuple(int(n) for n in reversed(t.shape))  # torch's order
        assert info.type_name == t.tensor_type.name and info.n_bytes == t.n_bytes
        assert np.array_equal(ours.raw(t.name), np.asarray(t.data).view(np.uint8).reshape(-1))
        want = torch.from_numpy(np.array(quants.dequantize(t.data, t.tensor_type), np.float32))
        assert torch.equal(ours.tensor(t.name), want.reshape(info.shape))


def test_quantized_tensors_come_back_close_to_what_was_stored(tiny):
    f = read_gguf(tiny)
    rng = np.random.default_rng(0)
    original = {name: rng.normal(size=(4, 64)) for name in ("q8", "q41", "f16", "f32")}
    for name, bound in (("f32", 1e-7), ("f16", 2e-3), ("q8", 0.02), ("q41", 0.4)):
        error = (f.tensor(name) - torch.tensor(original[name])).abs().max().item()
        assert error < bound, (name, error)


def test_a_missing_file_a_foreign_file_and_a_truncated_file_say_what_is_wrong(tiny, tmp_path):
    with pytest.raises(FileNotFoundError, match="no such file"):
        read_gguf(tmp_path / "nothing.gguf")
    foreign = tmp_path / "weights.gguf"
    foreign.write_bytes(b"PK\x03\x04" + bytes(100))
    with pytest.raises(GGUFError, match=r"weights.gguf: not a GGUF file: it starts with b'PK"):
        read_gguf(foreign)
    raw = tiny.read_bytes()
    for cut, message in ((40, "ends inside its header"), (len(raw) - 10, "is truncated: tensor")):
        short = tmp_path / f"cut_{cut}.gguf"
        short.write_bytes(raw[:cut])
        with pytest.raises(GGUFError, match=message) as error:
            read_gguf(short)
        assert short.name in str(error.value) and "again" in str(error.value)


def test_an_unknown_tensor_type_and_version_are_named(tiny, tmp_path):
    raw = bytearray(tiny.read_bytes())
    future = tmp_path / "future.gguf"
    future.write_bytes(raw[:4] + (9).to_bytes(4, "little") + raw[8:])
    with pytest.raises(GGUFError, match="GGUF version 9"):
        read_gguf(future)
    path = tmp_path / "q5.gguf"
    writer = gguf.GGUFWriter(path, "llama")
    data = np.zeros((2, 32), np.float32)
    writer.add_tensor("w", quants.quantize(data, Q.Q5_0), raw_dtype=Q.Q5_0)
    writer.write_header_to_file()
    writer.write_kv_data_to_file()
    writer.write_tensors_to_file()
    writer.close()
    with pytest.raises(GGUFError, match="tensor 'w' has type 6, which this reader does not know"):
        read_gguf(path)


def test_an_unknown_tensor_name_suggests_real_ones(tiny):
    with pytest.raises(KeyError, match="has no tensor 'q9'"):
        read_gguf(tiny).tensor("q9")
