"""Apps: the small working systems of chapter 08, built from the course's parts.

- ``beam_search``: greedy decoding and beam search for any model that scores the next token
  of a prefix (chapter 08's translator decodes with it).
"""
