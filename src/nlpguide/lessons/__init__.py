"""The lessons layer: what the guide's pages and their tests share, one module per chapter.

The top layer of the package. Each module imports from the core
(:mod:`nlpguide.mlm`, :mod:`nlpguide.text2text`, :mod:`nlpguide.choose`,
:mod:`nlpguide.metrics`) and from :mod:`nlpguide.models`; nothing below imports
from here. A page imports its helpers from its chapter's module, and the page's
test imports the same helper, so the test checks the very code the page runs:

* :mod:`nlpguide.lessons.bert`: the cloze probe of the fill-mask model;
* :mod:`nlpguide.lessons.tokenization`: the tokenization page's sentences, its
  three tokenizers, tokens per word and what truncation keeps;
* :mod:`nlpguide.lessons.attention`: attention worked by hand in numpy, and
  the position schemes of BERT, T5 and LLaMA;
* :mod:`nlpguide.lessons.t5`: T5 task framing, the cost of span corruption, a
  short ``Seq2SeqTrainer`` run, cross-attention;
* :mod:`nlpguide.lessons.architectures`: block diagrams of the three
  architectures, drawn from their configs (the decoders chapter's architectures
  page; its other pages need nothing beyond :mod:`nlpguide.models`).
"""

from __future__ import annotations

__all__: list[str] = []
