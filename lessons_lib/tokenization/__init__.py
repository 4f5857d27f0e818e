"""Tokenization: text to token ids and back.

- ``inputs``: what every tokenizer checks on the way in: text, ids, special tokens.
- ``characters``: one token per character (chapter 01 onwards).
- ``bpe``: byte-level byte-pair encoding built from scratch (chapter 02).
- ``hf_bridge``: the same BPE in Hugging Face ``tokenizers``, to check ours id for id (chapter 02).
- ``wordpiece``: BERT's WordPiece tokenizer built from scratch (chapter 07).
- ``gguf_bpe``: chapter 02's BPE with a GGUF file's vocabulary and merges (chapter 11).
"""
