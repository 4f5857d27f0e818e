"""Parts: the from-scratch building blocks that models are made of.

- ``activations``: sigmoid, tanh, ReLU, GELU and their derivatives (chapter 03).
- ``optimizers``: SGD, momentum, Adam and AdamW written out, matching ``torch.optim`` (chapter 03).
- ``softmax``: softmax, log-softmax, log-sum-exp and entropy, numerically stable (chapter 04).
- ``sampling``: temperature, top-k and top-p sampling (chapter 04).
- ``attention``: masks, scaled dot-product attention, multi-head self-attention (chapter 05)
  and cross-attention (chapter 08).
- ``positions``: sinusoidal encodings and rotary embeddings (RoPE) (chapter 05).
- ``feed_forward``: the position-wise feed-forward network of a block (chapters 06 and 07),
  and Llama's SwiGLU (chapter 11).
- ``rms_norm``: RMSNorm, layer norm without the mean (chapter 11).
- ``grouped_attention``: grouped-query attention with RoPE, Llama's attention (chapter 11).
"""
