"""The edits the try-it browser test makes to every live cell: one that changes the output, one that raises.

Keyed by page (its docname) and the live cell's position on the page (0-based); each edit
is ``(old, new)``: the first occurrence of ``old`` in the cell's code becomes ``new``.
"""

from __future__ import annotations

Edit = tuple[str, str]

CHANGES: dict[str, list[Edit]] = {
    "bert/masked-language-modelling": [
        (
            (
                '"The detective read the whole letter before naming the thief, "\n'
                '    "because every clue mattered."'
            ),
            '"A reader can change this sentence and run the cell again."',
        ),
        ("rng=0", "rng=5"),
    ],
    "t5/text-to-text": [
        ('"translate": "translation"', '"translate": "translation (English to German)"'),
        ('text="That is good."', 'text="The cat sat on the mat."'),
        ("code=[False, False, True, True]", "code=True"),
        ("if spec.label_words]", "if spec.label_words][:3]"),
        ('("positive", "Positive", "very positive")', '("negative", "NEGATIVE", "neutral")'),
        ("scores = [0.1, 0.3, 2.5, 3.14, 3.84, 4.9, 5.0]", "scores = [0.5, 0.7, 1.9]"),
    ],
    "t5/span-corruption": [
        ("n = 512", "n = 128"),
        ("objective_cost(512)", "objective_cost(128)"),
        ("{cost.ratio:.2f}", "{cost.ratio:.4f}"),
        ('"bert-base-uncased, MLM",\n        512,', '"bert-base-uncased, MLM",\n        128,'),
    ],
    "decoders/choosing": [
        ('"sentiment of tweets",  # your task', '"summarise meeting notes",  # your task'),
        ('("spam detection", {"examples": 200}),', '("spam detection", {"examples": 5000}),'),
        ('recommend("something with our customer data")', 'recommend("rewrite our customer data")'),
        ('Markdown(choose.render_table("markdown"))', 'print(choose.render_table("text"))'),
    ],
    "index": [
        ('Markdown(choose.render_table("markdown"))', 'print(choose.render_table("text"))'),
    ],
}

RAISES: dict[str, list[Edit]] = {
    "bert/masked-language-modelling": [
        ("rng=seed)", "rng=seed, mask_rate=1.5)"),
        ("rng=0", "rng=-1"),
    ],
    "t5/text-to-text": [
        ('"summarize": "summarization"', '"summarise": "summarization"'),
        ('frame("sst2", sentence=', 'frame("sst2", text='),
        ("code=[False, False, True, True]", "code=[False, True, True]"),
        ("decode_target(name, w)", "decode_target(name, w.upper())"),
        ("except ValueError", "except KeyError"),
        (
            '{s: encode_target("stsb", s) for s in scores}',
            '{s: encode_target("stsb", s + 10) for s in scores}',
        ),
    ],
    "t5/span-corruption": [
        ("(0.5, 3)", "(1.5, 3)"),
        ("objective_cost(512)", "objective_cost(-1)"),
        ("cost.ratio", "cost.speedup"),
        ('reference_config("bert-base-uncased")', 'reference_config("bert-huge")'),
    ],
    "decoders/choosing": [
        ("examples=5000", "examples=-1"),
        ('{"memory": "1GB"}', '{"memory": "a lot"}'),
        ('recommend("something with our customer data")', "recommend(None)"),
        ('render_table("markdown")', 'render_table("latex")'),
    ],
    "index": [
        ('render_table("markdown")', 'render_table("latex")'),
    ],
}


def apply(code: str, edit: Edit) -> str:
    """The code with the edit made; an edit that does not apply is a mistake in this table."""
    old, new = edit
    if old not in code:
        msg = f"{old!r} is not in the cell's code:\n{code}"
        raise ValueError(msg)
    return code.replace(old, new, 1)
