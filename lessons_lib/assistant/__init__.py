"""Assistant: a pretrained model turned into something to talk to (chapters 11 to 13).

- ``chat``: ChatML, the chat template SmolLM2 was fine-tuned on, and a streamed reply that
  stops at the end of the assistant's turn (chapter 11).
"""
