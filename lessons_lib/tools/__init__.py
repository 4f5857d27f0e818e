"""Tools: the commands behind ``python -m lessons_lib <command>``.

- ``notebooks``: ``refresh`` (stored outputs from a fresh kernel) and ``badges``.
- ``bench``: ``bench gpt`` and ``bench bpe``, how fast this machine trains and tokenizes.
- ``bench_chat``: ``bench chat``, SmolLM2 in the course's code against ``transformers``
  (chapter 11).
- ``pretrain``: ``pretrain``, the run that made the shipped chapter-06 checkpoint.
- ``ablations``: ``bench ablations``, chapter 06's GPT with one part removed at a time.
- ``translator``: ``translator``, the run that made the shipped chapter-08 date translator.
- ``chapter_summaries``: ``summaries``, the chapters' prose and hand-written summaries as
  chapter 08's summarization test set (``data/chapter_summaries.json``).
- ``scaling`` and ``overfitting``: ``bench scaling`` and ``bench overfitting``, chapter 09's
  sweeps of GPT sizes, data amounts and noise, and overfitting with each remedy.
- ``ddp``: ``ddp``, data-parallel training with torchrun (chapter 10), and ``run_ddp`` that
  runs it from a notebook; ``ddp_rank`` is the program torchrun starts once per rank
  (``init_process_group``, ``DDP``, ``DistributedSampler``, ``no_sync``).
- ``arguments``: the argparse types that check every command's flags before any work.
"""
