"""Assistant: a pretrained model turned into something to talk to (chapters 11 to 13).

- ``chat``: ChatML, the chat template SmolLM2 was fine-tuned on, and a streamed reply that
  stops at the end of the assistant's turn (chapter 11).
- ``evaluation``: a small evaluation with checkable answers (facts, arithmetic, formats,
  Chinese, dates) scored exact and loosely, and in-context learning on chapter 08's dates
  (chapter 11).
"""
