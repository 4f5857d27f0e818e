"""Training: the loop that trains every language model, and what it needs.

- ``trainer``: ``train`` in one call and ``Trainer`` across notebook cells (chapter 01 on).
- ``batches``: random windows of token ids, the text labelling itself.
- ``evaluation``: the mean loss on held-out text, estimated or exact.
- ``schedule``: the learning rate, constant or warm-up then cosine.
- ``history``: what a run measured, one entry per evaluation.
- ``checkpoint``: save and load a trained GPT as safetensors (chapter 06).
- ``checkpoint_files``: weights beside a JSON with their SHA-256, written atomically, every
  damage named on reading (chapters 06 and 08).
- ``probe``: linear probes on frozen features, a GPT's hidden states to probe, and a
  bag-of-characters baseline (chapter 07).
- ``fresh_batches``: AdamW on a new generated batch every step, for chapter 08's translator
  and reader.
- ``distributed``: what the data-parallel rank program uses: every window of a text as a
  ``Dataset``, the all-reduce by hand and timed, Ctrl-C and the report (chapter 10).
- ``activation_memory``: the bytes autograd keeps for the backward pass (chapter 10).
"""
