"""Viz: every figure and widget. Figures are made without pyplot and returned, never shown.

- ``figures``: the shared figure factory and the probability table (chapter 01).
- ``text``: visible whitespace in token labels; texts side by side (chapters 01 and 06).
- ``token_spans``: a text drawn with one coloured box per token (chapter 02).
- ``networks``: activations, losses, decision boundaries, gradients (chapter 03).
- ``sampling``: one distribution under temperature, top-k and top-p (chapter 04).
- ``attention_maps``: attention weights as heat maps and an explorer (chapters 05 and 06).
- ``curves``: loss curves of a training run, once or live (chapter 01 onwards).
- ``widgets``: interactive demos that draw once when no browser is attached (chapter 02 on).
- ``head_scores``: one score per layer and head for a few attention jobs (chapter 07).
- ``similarity``: a cosine-similarity heatmap of sentence embeddings (chapter 07).
- ``diagrams``: a pretrained model's folder and the libraries that read it, GPT's and BERT's
  training objectives (chapter 07); a data-parallel step (chapter 10).
- ``measurements``: scaling and overfitting curves, WEAT effect sizes, pronoun shares and
  attention masks side by side (chapter 09).
"""
