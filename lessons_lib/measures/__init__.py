"""Measures: chapter 09's numbers about models: their bias, memory, cost and scaling.

- ``weat``: the Word Embedding Association Test and its sentence form (SEAT): effect size and
  permutation p-value for any function that embeds text (chapter 09 applies it to MiniLM).
- ``gender``: gendered words near occupations and titles in a corpus, and the probability a
  language model gives " he" and " she" after prompts about them (chapter 09).
- ``extraction``: how often greedy decoding from a passage's first characters reproduces the
  rest of it, the memorisation test of chapter 09.
- ``membership``: a passage's loss as a sign it was trained on, and the AUC that says how well
  it separates training text from unseen text (chapter 09).
- ``compute``: the training compute 6·N·D and an energy estimate, beside published figures
  (chapter 09).
- ``power_law``: fitting L = a·x^(−α) in log–log space, and L = E + A·x^(−α) with an
  irreducible floor E; the compute frontier of a sweep (chapter 09's scaling curves).
"""
