"""Models: the language-model contract and every model of the course.

- ``lm``: the contract ``forward(idx, targets=None) -> (logits, loss)`` and what every model
  shares: id checks, the loss, parameter counts, the device, eval mode (chapter 01 onwards).
- ``bigram`` (chapter 01), ``ngram`` (chapters 01 and 04), ``mlp_lm`` (chapter 03),
  ``attention_only`` (chapter 05), ``gpt`` (chapter 06), ``llama`` (chapter 11, SmolLM2's
  architecture): the language models.
- ``bert`` (chapter 07): a BERT encoder (``pretrained`` loads all-MiniLM-L6-v2 into it).
- ``toy_nets``: small networks on chapter 03's toy problems (not language models).
- ``generation``: text from any language model, one sampled token at a time (chapter 01 on);
  ``kv_cache``: the keys and values a GPT keeps so that generating skips the past (chapter 06).
"""
