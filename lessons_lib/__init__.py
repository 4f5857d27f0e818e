"""lessons_lib: the helper package of the LLM Lessons course.

``import lessons_lib as L`` gives the public API below; each name's module says which chapter
introduces it. Exercises live in ``lessons_lib.exercises``.

Where a function shares its module's name (``softmax``, ``sample``), the top-level name is the
*function*: ``L.softmax(x)`` and ``L.sample(logits)`` just work. The rest of such a module is
imported by its full path: ``from lessons_lib.sample import top_k_filter``. (For the same
reason ``import lessons_lib.softmax as S`` gives the function, not the module.)
"""

from .attention import MultiHeadSelfAttention, causal_mask, scaled_dot_product_attention
from .attention_plots import attention_explorer, plot_attention, plot_attention_heads
from .bigram import BigramLM, bigram_probs, count_bigrams
from .bpe import BPETokenizer
from .char_tokenizer import CharTokenizer
from .checkpoint import load_pretrained
from .checkup import check_environment
from .data import shakespeare, train_val_split
from .env import get_device, set_seed, setup, show_source
from .generation import generate
from .gpt import GPT, GPTConfig, parameter_counts
from .mlp import MLPLM, MLPConfig
from .ngram import NGramLM, contexts_seen, ngram_loss
from .plots import plot_probability_table, token_label
from .reversal import AttentionOnlyConfig, AttentionOnlyLM, ReversalTask
from .sample import sample
from .sampling_plots import entropy
from .softmax import log_softmax, logsumexp, softmax
from .synthetic import MarkovLanguage, toy_language
from .text_view import SideBySide
from .token_plots import plot_token_spans
from .trainer import Trainer, train
from .training import History, estimate_loss, evaluate, get_batch, plot_history
from .widgets import interactive_figure

__version__ = "0.1.0"

__all__ = [
    "AttentionOnlyConfig",
    "AttentionOnlyLM",
    "BPETokenizer",
    "BigramLM",
    "CharTokenizer",
    "GPT",
    "GPTConfig",
    "History",
    "MLPConfig",
    "MLPLM",
    "MarkovLanguage",
    "MultiHeadSelfAttention",
    "NGramLM",
    "ReversalTask",
    "SideBySide",
    "Trainer",
    "attention_explorer",
    "bigram_probs",
    "causal_mask",
    "check_environment",
    "contexts_seen",
    "count_bigrams",
    "entropy",
    "estimate_loss",
    "evaluate",
    "generate",
    "get_batch",
    "get_device",
    "interactive_figure",
    "load_pretrained",
    "log_softmax",
    "logsumexp",
    "ngram_loss",
    "parameter_counts",
    "plot_attention",
    "plot_attention_heads",
    "plot_history",
    "plot_probability_table",
    "plot_token_spans",
    "sample",
    "scaled_dot_product_attention",
    "set_seed",
    "setup",
    "shakespeare",
    "show_source",
    "softmax",
    "token_label",
    "toy_language",
    "train",
    "train_val_split",
]
