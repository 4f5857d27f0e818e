"""Apps: the small working systems of chapter 08, built from the course's parts.

- ``beam_search``: greedy decoding and beam search for any model that scores the next token
  of a prefix (chapter 08's translator decodes with it).
- ``rouge``: ROUGE-1, ROUGE-2 and ROUGE-L, equal to Google's ``rouge-score``, and a character
  tokenizer for Chinese (chapter 08's summaries are scored with it).
- ``bleu``: corpus BLEU with its brevity penalty, equal to ``sacrebleu``; Chinese is scored by
  characters (chapter 08's translations are scored with it).
- ``translator``: an encoder–decoder transformer (bidirectional encoder, causal decoder,
  cross-attention) that translates English dates into Chinese, and its training loop.
- ``translator_checkpoint``: the trained translator that ships with chapter 08, saved and
  loaded with its SHA-256 checked.
- ``text_quality``: the share of real words and distinct-n, chapter 08's two numbers for
  generated text.
- ``sentences``: sentences from plain text or markdown with a few regular expressions
  (abbreviations, decimals, item numbers; code, tables and HTML dropped), for chapter 08's
  summaries.
- ``summarize``: extractive summaries by MMR around the centroid of MiniLM sentence vectors,
  the lead-k and random-k baselines, and their ROUGE against the chapters' own summaries
  (chapter 08).
- ``reader_inputs``: what the reader reads: question and story as word ids, with each word's
  place in its sentence and the exact-match flag (chapter 08).
- ``reader``: a span reader for chapter 08's stories: a bidirectional transformer with a
  start/end head, its training loop, exact match per question kind, attention on the
  supporting sentences.
- ``open_book``: retrieve, then read: stories embedded with MiniLM, recall@k, and end-to-end
  exact match with the reader (chapter 08).
- ``keyword_search``: BM25 keyword search over the same stories, the sparse baseline that
  MiniLM's dense retrieval is measured against (chapter 08).
"""
