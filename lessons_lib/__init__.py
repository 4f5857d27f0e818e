"""lessons_lib: the helper package of the LLM Lessons course.

``import lessons_lib as L`` gives the public API below, grouped by the room (sub-package) it
lives in, in the order data flows through the course. Each name's module says which chapter
introduces it; ``L.show_source(L.<name>)`` shows its code. Exercises:
``from lessons_lib import exercises as ex``.

    data/          corpora and generated tasks
    tokenization/  text to token ids and back
    parts/         from-scratch building blocks
    models/        the language-model contract and every model
    pretrained/    real models' files read by hand: MiniLM, GPT-2, GGUF
    training/      the training loop and what it needs
    viz/           every figure and widget
    apps/          chapter 08's working systems: translation, question answering, ...
    assistant/     chapters 11 to 13: chatting with a modern model, and making it an assistant
    measures/      chapter 09's measurements: bias, memorisation, compute, power laws
    course/        session setup, the environment check, exercises
    tools/         the commands behind ``python -m lessons_lib <command>``
"""

# data: the Shakespeare corpus, a Markov toy language, the reversal task, chapter 03's toy sets,
# chapter 08's date pairs, chapter 09's WEAT word lists and noisy copy
from .data.bias_words import SEAT_TEMPLATES, WEAT_TESTS, WEATTest, seat_sentences
from .data.corruption import noisy_copy
from .data.dates import FORMS as DATE_FORMS
from .data.chapter_summaries import chapter_summaries
from .data.dates import date_pairs
from .data.stories import QAExample, qa_examples
from .data.markov import MarkovLanguage, toy_language
from .data.reversal_task import ReversalTask
from .data.shakespeare import markdown_to_text, play_paths, shakespeare, train_val_split
from .data.search_queries import (
    SEARCH_QUERIES,
    content_words,
    search_collection,
    speech_passages,
    target_ranks,
)
from .data.speeches import Speech, find_speech, speeches
from .data.toy_data import curve_data, target_curve, two_moons

# tokenization: characters, byte-level BPE, the bridge to Hugging Face tokenizers, a GGUF
# file's BPE
from .tokenization.bpe import GPT2_SPLIT_PATTERN, BPETokenizer, merge_pair, split_text
from .tokenization.characters import CharTokenizer
from .tokenization.gguf_bpe import GGUFTokenizer
from .tokenization.hf_bridge import hf_merges, our_merges, to_hf, train_hf_bpe
from .tokenization.wordpiece import WordPieceTokenizer

# parts: activations, softmax and entropy, sampling, attention
from .parts.activations import ACTIVATIONS, sigmoid, sigmoid_grad
from .parts.attention import (
    MultiHeadCrossAttention,
    MultiHeadSelfAttention,
    causal_mask,
    scaled_dot_product_attention,
)
from .parts.feed_forward import FeedForward, SwiGLU
from .parts.grouped_attention import GroupedQueryAttention, repeat_kv
from .parts.optimizers import SGD, Adam, AdamW
from .parts.positions import apply_rope, rope_angles, sinusoidal_positions
from .parts.rms_norm import RMSNorm
from .parts.sampling import sample, top_k_filter, top_p_filter
from .parts.softmax import entropy, log_softmax, logsumexp, softmax

# models: the contract (lm), then each model, and generation
from .models.attention_only import AttentionOnlyConfig, AttentionOnlyLM
from .models.bert import BertBlock, BertConfig, BertEncoder, mean_pool
from .models.bigram import BigramLM, bigram_probs, count_bigrams
from .models.generation import generate
from .models.gpt import (
    GPT,
    Block,
    CausalSelfAttention,
    GPTConfig,
    parameter_counts,
    torch_reference_block,
)
from .models.llama import Llama, LlamaConfig
from .models.lm import (
    check_token_ids,
    count_parameters,
    evaluating,
    language_model_loss,
    model_device,
)
from .models.mlp_lm import MLPLM, MLPConfig
from .models.ngram import (
    NGramLM,
    contexts_seen,
    ngram_loss,
    unseen_context_share,
    unseen_contexts,
)
from .models.toy_nets import (
    INITS,
    accuracy,
    gradient_norms_by_layer,
    layer_statistics,
    make_mlp,
    train_classifier,
)

# pretrained: real models' files read by hand (chapters 07 and 11)
from .pretrained.gguf_file import GGUFFile, read_gguf
from .pretrained.gpt2_weights import gpt_to_gpt2, hf_gpt2_name, load_gpt2_weights
from .pretrained.minilm import embed_sentences, hf_bert_name, load_minilm, minilm_path
from .pretrained.quants import (
    dequantize,
    dequantize_bits,
    quantize_bits,
    quantize_q4_1,
    quantize_q8_0,
)
from .pretrained.requantize import requantized, weight_bytes
from .pretrained.smollm2 import load_smollm2, smollm2_path, to_halves_layout

# training: the trainer, batches, evaluation, the schedule, the history, checkpoints
from .training.batches import get_batch
from .training.checkpoint import checkpoint_facts, load_pretrained
from .training.distributed import TokenWindows, average_gradients, broadcast_parameters
from .training.activation_memory import saved_activation_bytes
from .training.evaluation import estimate_loss, evaluate, token_losses
from .training.history import History
from .training.probe import (
    bag_of_characters,
    fit_linear_probe,
    gpt_hidden_states,
    probe_accuracy,
)
from .training.schedule import learning_rate
from .training.trainer import Trainer, train

# viz: figures, text, token spans, networks, sampling, attention maps, curves, widgets
from .viz.attention_maps import (
    attention_explorer,
    explorer_html,
    plot_attention,
    plot_attention_heads,
)
from .viz.curves import LivePlot, plot_history
from .viz.diagrams import (
    plot_data_parallel,
    plot_ddp_timeline,
    plot_masked_lm,
    plot_model_folder,
)
from .viz.figures import new_figure, plot_probability_table
from .viz.head_scores import plot_head_scores
from .viz.measurements import (
    plot_data_sweeps,
    plot_effect_sizes,
    plot_masks,
    plot_overfitting,
    plot_scaling,
    plot_shares,
)
from .viz.networks import (
    binary_losses,
    draw_activation,
    draw_boundary_as_it_learns,
    plot_activations,
    plot_decision_boundary,
    plot_gradient_norms,
    plot_loss_vs_probability,
)
from .viz.sampling import draw_filters, draw_temperature
from .viz.similarity import plot_similarity_matrix
from .viz.text import SideBySide, token_label
from .viz.token_spans import plot_token_spans
from .viz.widgets import interactive_figure

# tools: what the chapters show from the project's commands
from .tools.ablations import ablation_report, load_ablations, run_ablation
from .tools.overfitting import best_step, load_overfitting, run_remedy
from .tools.ddp import run_ddp
from .tools.scaling import load_scaling, run_curve

# apps: chapter 08's systems and their metrics
from .apps.beam_search import beam_search, greedy_decode
from .apps.bleu import bleu, bleu_characters
from .apps.keyword_search import KeywordIndex
from .apps.open_book import (
    StoryIndex,
    make_collection,
    misspell_names,
    open_book_exact_match,
    recall_at_k,
)
from .apps.reader import (
    Reader,
    ReaderConfig,
    read_answers,
    reader_exact_match,
    span_from_logits,
    support_attention,
    train_reader,
)
from .apps.rouge import chinese_characters, rouge
from .apps.sentences import split_sentences
from .apps.summarize import evaluate_summaries, lead_k, mmr, random_k, summarize
from .apps.text_quality import distinct_n, real_word_share, vocabulary
from .apps.translator import (
    Translator,
    TranslatorConfig,
    source_batch,
    target_batch,
    train_translator,
    translation_exact_match,
)
from .apps.translator_checkpoint import load_translator, translator_facts

# assistant: chapter 11's chat and its evaluation
from .assistant.chat import chat, format_chat
from .assistant.evaluation import (
    ASSISTANT_QUESTIONS,
    evaluate_assistant,
    few_shot_dates,
    score_reply,
)

# measures: chapter 09's bias tests, memorisation, compute and power laws
from .measures.compute import GPT3_ENERGY_MWH, GPT3_FLOPS, energy_kwh, tokens_seen, training_flops
from .measures.extraction import Extraction, extraction_examples, extraction_rate
from .measures.gender import GenderCount, PronounProbability, gender_counts, pronoun_probabilities
from .measures.membership import line_passages, membership_auc, passage_losses
from .measures.power_law import (
    FrontierPoint,
    PowerLaw,
    PowerLawWithFloor,
    compute_frontier,
    fit_power_law,
    fit_power_law_with_floor,
)
from .measures.weat import association, effect_size, leave_one_out, permutation_p_value, weat

# course: session setup, the environment check, exercises
from .course import exercises
from .course.environment_check import check_environment
from .course.expect import expect
from .course.session import get_device, set_seed, setup, show_source

__version__ = "0.1.0"

# fmt: off
__all__ = [  # sorted; one name per public object above
    "ACTIVATIONS", "ASSISTANT_QUESTIONS", "Adam", "AdamW", "AttentionOnlyConfig", "AttentionOnlyLM",
    "BPETokenizer", "BertBlock", "BertConfig", "BertEncoder", "BigramLM", "Block",
    "CausalSelfAttention", "CharTokenizer", "DATE_FORMS", "Extraction", "FeedForward",
    "FrontierPoint", "GGUFFile", "GGUFTokenizer", "GPT", "GPT2_SPLIT_PATTERN", "GPT3_ENERGY_MWH",
    "GPT3_FLOPS", "GPTConfig", "GenderCount", "GroupedQueryAttention", "History", "INITS",
    "KeywordIndex", "LivePlot", "Llama", "LlamaConfig", "MLPConfig", "MLPLM", "MarkovLanguage",
    "MultiHeadCrossAttention", "MultiHeadSelfAttention", "NGramLM", "PowerLaw", "PowerLawWithFloor",
    "PronounProbability", "QAExample", "RMSNorm", "Reader", "ReaderConfig", "ReversalTask",
    "SEARCH_QUERIES", "SEAT_TEMPLATES", "SGD", "SideBySide", "Speech", "StoryIndex", "SwiGLU",
    "TokenWindows", "Trainer", "Translator", "TranslatorConfig", "WEATTest", "WEAT_TESTS",
    "WordPieceTokenizer", "ablation_report", "accuracy", "apply_rope", "association",
    "attention_explorer", "average_gradients", "bag_of_characters", "beam_search", "best_step",
    "bigram_probs", "binary_losses", "bleu", "bleu_characters", "broadcast_parameters",
    "causal_mask", "chapter_summaries", "chat", "check_environment", "check_token_ids",
    "checkpoint_facts", "chinese_characters", "compute_frontier", "content_words", "contexts_seen",
    "count_bigrams", "count_parameters", "curve_data", "date_pairs", "dequantize",
    "dequantize_bits", "distinct_n", "draw_activation", "draw_boundary_as_it_learns",
    "draw_filters", "draw_temperature", "effect_size", "embed_sentences", "energy_kwh", "entropy",
    "estimate_loss", "evaluate", "evaluate_assistant", "evaluate_summaries", "evaluating",
    "exercises", "expect", "explorer_html", "extraction_examples", "extraction_rate",
    "few_shot_dates", "find_speech", "fit_linear_probe", "fit_power_law",
    "fit_power_law_with_floor", "format_chat", "gender_counts", "generate", "get_batch",
    "get_device", "gpt_hidden_states", "gpt_to_gpt2", "gradient_norms_by_layer", "greedy_decode",
    "hf_bert_name", "hf_gpt2_name", "hf_merges", "interactive_figure", "language_model_loss",
    "layer_statistics", "lead_k", "learning_rate", "leave_one_out", "line_passages",
    "load_ablations", "load_gpt2_weights", "load_minilm", "load_overfitting", "load_pretrained",
    "load_scaling", "load_smollm2", "load_translator", "log_softmax", "logsumexp",
    "make_collection", "make_mlp", "markdown_to_text", "mean_pool", "membership_auc", "merge_pair",
    "minilm_path", "misspell_names", "mmr", "model_device", "new_figure", "ngram_loss",
    "noisy_copy", "open_book_exact_match", "our_merges", "parameter_counts", "passage_losses",
    "permutation_p_value", "play_paths", "plot_activations", "plot_attention",
    "plot_attention_heads", "plot_data_parallel", "plot_data_sweeps", "plot_ddp_timeline",
    "plot_decision_boundary", "plot_effect_sizes", "plot_gradient_norms", "plot_head_scores",
    "plot_history", "plot_loss_vs_probability", "plot_masked_lm", "plot_masks", "plot_model_folder",
    "plot_overfitting", "plot_probability_table", "plot_scaling", "plot_shares",
    "plot_similarity_matrix", "plot_token_spans", "probe_accuracy", "pronoun_probabilities",
    "qa_examples", "quantize_bits", "quantize_q4_1", "quantize_q8_0", "random_k", "read_answers",
    "read_gguf", "reader_exact_match", "real_word_share", "recall_at_k", "repeat_kv", "requantized",
    "rope_angles", "rouge", "run_ablation", "run_curve", "run_ddp", "run_remedy", "sample",
    "saved_activation_bytes", "scaled_dot_product_attention", "score_reply", "search_collection",
    "seat_sentences", "set_seed", "setup", "shakespeare", "show_source", "sigmoid", "sigmoid_grad",
    "sinusoidal_positions", "smollm2_path", "softmax", "source_batch", "span_from_logits",
    "speech_passages", "speeches", "split_sentences", "split_text", "summarize",
    "support_attention", "target_batch", "target_curve", "target_ranks", "to_halves_layout",
    "to_hf", "token_label", "token_losses", "tokens_seen", "top_k_filter", "top_p_filter",
    "torch_reference_block", "toy_language", "train", "train_classifier", "train_hf_bpe",
    "train_reader", "train_translator", "train_val_split", "training_flops",
    "translation_exact_match", "translator_facts", "two_moons", "unseen_context_share",
    "unseen_contexts", "vocabulary", "weat", "weight_bytes",
]
# fmt: on
