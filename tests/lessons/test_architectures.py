"""The architecture diagrams show their config's own numbers (nlpguide.lessons.architectures)."""

from __future__ import annotations

from typing import Any

import pytest
from matplotlib.axes import Axes
from matplotlib.figure import Figure

from nlpguide.lessons.architectures import COLOURS, describe, draw
from nlpguide.sizes import parameter_count, reference_config

TIMES = "\N{MULTIPLICATION SIGN}"
BUNDLED = ("bert-base-uncased", "t5-small", "gpt2", "Llama-2-7b-hf", "SmolLM2-135M-Instruct")


def _drawn(config: Any) -> Axes:
    return draw(config, ax=Figure().add_subplot())


def _texts(ax: Axes) -> str:
    return "\n".join([ax.get_title(), *(t.get_text() for t in ax.texts)])


def _gids(ax: Axes) -> list[str]:
    return [gid for a in (*ax.patches, *ax.artists) if (gid := a.get_gid())]


def _shipped(kind: str) -> dict[str, object]:
    from nlpguide.models import default_path
    from nlpguide.sizes import load_config

    return load_config(default_path(kind))


class TestDescribe:
    def test_bert_fields(self) -> None:
        """An encoder config gives one bidirectional stack with the config's sizes."""
        config = reference_config("bert-base-uncased")
        arch = describe(config)
        (stack,) = arch.stacks
        assert (arch.kind, stack.layers, stack.heads, stack.hidden, stack.ffn) == (
            "encoder", config["num_hidden_layers"], config["num_attention_heads"],
            config["hidden_size"], config["intermediate_size"],
        )  # fmt: skip
        assert not stack.causal
        assert not stack.cross_attention
        assert arch.parameters == parameter_count(config)

    def test_t5_stacks(self) -> None:
        """A T5 config gives an encoder and a causal decoder whose layers cross-attend."""
        config = reference_config("t5-small") | {"num_decoder_layers": 3}
        encoder, decoder = describe(config).stacks
        assert (encoder.layers, decoder.layers) == (config["num_layers"], 3)
        assert (encoder.causal, encoder.cross_attention) == (False, False)
        assert (decoder.causal, decoder.cross_attention) == (True, True)
        assert decoder.head_dim == config["d_kv"]

    def test_llama_grouped_query_heads(self) -> None:
        """A LLaMA config keeps its separate key/value head count (grouped-query attention)."""
        config = reference_config("SmolLM2-135M-Instruct")
        (stack,) = describe(config).stacks
        assert (stack.heads, stack.kv_heads) == (
            config["num_attention_heads"], config["num_key_value_heads"],
        )  # fmt: skip
        assert stack.gated
        assert stack.causal

    def test_path_and_name_read_the_same(self, tmp_path: Any) -> None:
        """A config's folder, its file and the mapping itself describe the same model."""
        import json

        config = reference_config("gpt2")
        (tmp_path / "config.json").write_text(json.dumps(config))
        assert describe(tmp_path) == describe(str(tmp_path / "config.json")) == describe(config)


class TestDrawnLabels:
    @pytest.mark.parametrize("name", BUNDLED)
    def test_every_stack_number_is_drawn(self, name: str) -> None:
        """Each stack's layers, heads, head size and feed-forward widths appear as drawn text."""
        arch = describe(name)
        text = _texts(_drawn(name))
        for s in arch.stacks:
            assert f"{TIMES} {s.layers} layers" in text
            assert f"heads {TIMES} {s.head_dim}" in text
            assert f"{s.hidden} → {s.ffn} → {s.hidden}" in text
            assert f"{arch.vocab_size:,} {TIMES} {s.hidden}" in text
        assert f"{arch.parameters / 1e6:,.1f}M parameters" in text
        assert arch.positions in text

    def test_changed_config_changes_the_drawing(self) -> None:
        """Numbers follow the config: an edited copy draws its own layers and widths."""
        config = reference_config("bert-base-uncased") | {
            "num_hidden_layers": 7, "intermediate_size": 1000, "num_attention_heads": 16,
        }  # fmt: skip
        text = _texts(_drawn(config))
        assert f"{TIMES} 7 layers" in text
        assert "768 → 1000 → 768" in text
        assert f"16 heads {TIMES} 48" in text
        assert f"{TIMES} 12 layers" not in text

    def test_grouped_query_heads_drawn(self) -> None:
        """A decoder with fewer key/value heads says how many of each it has."""
        text = _texts(_drawn("SmolLM2-135M-Instruct"))
        assert f"9 query, 3 key/value heads {TIMES} 64" in text

    @pytest.mark.parametrize(
        ("name", "masks"),
        [
            ("bert-base-uncased", {"mask-bidirectional"}),
            ("gpt2", {"mask-causal"}),
            ("t5-small", {"mask-bidirectional", "mask-causal", "mask-cross"}),
        ],
    )
    def test_attention_masks(self, name: str, masks: set[str]) -> None:
        """The mask glyphs match the architecture: square, triangle, or both plus a rectangle."""
        assert {g for g in _gids(_drawn(name)) if g.startswith("mask-")} == masks

    @pytest.mark.parametrize(
        ("name", "arrows"), [("t5-small", 1), ("gpt2", 0), ("bert-base-uncased", 0)]
    )
    def test_cross_attention_arrow(self, name: str, arrows: int) -> None:
        """Only the encoder-decoder has the arrow from the encoder's output to cross-attention."""
        assert _gids(_drawn(name)).count("cross-attention") == arrows

    def test_colour_per_kind(self) -> None:
        """Each stack is tinted with its kind's site colour."""
        from matplotlib.colors import to_hex

        ax = _drawn("t5-small")
        stacks = [p for p in ax.patches if (p.get_gid() or "").endswith("-stack")]
        assert len(stacks) == 2
        assert {to_hex(p.get_edgecolor()) for p in stacks} == {COLOURS["encoder-decoder"]}

    def test_title_replaces_first_line(self) -> None:
        """A given title leads, followed by the parameter count."""
        ax = draw("gpt2", ax=Figure().add_subplot(), title="The storyteller")
        assert ax.get_title().splitlines()[0] == "The storyteller"
        assert ax.get_title().endswith("M parameters")


def _expected_labels(kind: str, c: dict[str, Any]) -> list[str]:
    """The labels a diagram of config *c* must show, spelled from its keys directly."""
    if kind == "encoder":
        h, heads = c["hidden_size"], c["num_attention_heads"]
        return [f"{TIMES} {c['num_hidden_layers']} layers", f"{heads} heads {TIMES} {h // heads}",
                f"{h} → {c['intermediate_size']} → {h}"]  # fmt: skip
    if kind == "seq2seq":
        d = c["d_model"]
        return [f"{TIMES} {c['num_layers']} layers", f"{TIMES} {c['num_decoder_layers']} layers",
                f"{c['num_heads']} heads {TIMES} {c['d_kv']}", f"{d} → {c['d_ff']} → {d}"]  # fmt: skip
    h = c["hidden_size"]
    heads = f"{c['num_attention_heads']} query, {c['num_key_value_heads']} key/value heads"
    return [f"{TIMES} {c['num_hidden_layers']} layers", f"{heads} {TIMES} {c['head_dim']}",
            f"{h} → {c['intermediate_size']} → {h}", f"{c['vocab_size']:,} {TIMES} {h}"]  # fmt: skip


@pytest.mark.models
class TestShippedConfigs:
    @pytest.mark.parametrize("kind", ["encoder", "seq2seq", "decoder"])
    def test_drawn_from_the_shipped_config(self, kind: str) -> None:
        """The page's three diagrams show the numbers of the configs the loaders use."""
        config = _shipped(kind)
        text = _texts(_drawn(config))
        missing = [label for label in _expected_labels(kind, config) if label not in text]
        assert not missing


class TestBadArguments:
    def test_config_type(self) -> None:
        """A config that is no mapping, path or name is a TypeError naming config."""
        with pytest.raises(TypeError, match="config must be"):
            draw(42)  # type: ignore[arg-type]

    def test_unknown_model_type(self) -> None:
        """An unsupported model_type is a ValueError listing the supported ones."""
        with pytest.raises(ValueError, match=r"config\['model_type'\] must be one of bert"):
            describe({"model_type": "xlnet"})

    def test_missing_key(self) -> None:
        """A missing size key is a ValueError naming it."""
        config = reference_config("bert-base-uncased")
        del config["intermediate_size"]
        with pytest.raises(ValueError, match="'intermediate_size'"):
            describe(config)

    def test_bad_size(self) -> None:
        """A size that is not a positive int is an error naming the key."""
        config = reference_config("t5-small")
        with pytest.raises(ValueError, match=r"config\['num_layers'\]"):
            describe(config | {"num_layers": 0})
        with pytest.raises(TypeError, match=r"config\['d_ff'\]"):
            describe(config | {"d_ff": "2048"})

    def test_heads_must_share_out(self) -> None:
        """Key/value heads that do not divide the query heads are a ValueError."""
        config = reference_config("SmolLM2-135M-Instruct") | {"num_key_value_heads": 4}
        with pytest.raises(ValueError, match="key/value heads must divide"):
            describe(config)

    def test_unknown_name(self) -> None:
        """A name that is neither a bundled model nor a path is a ValueError."""
        with pytest.raises(ValueError, match="unknown model"):
            describe("no-such-model")

    def test_ax_and_title(self) -> None:
        """ax must be an Axes and title a str, each named in the error."""
        with pytest.raises(TypeError, match="ax must be a matplotlib Axes"):
            draw("gpt2", ax="left")  # type: ignore[arg-type]
        with pytest.raises(TypeError, match="title"):
            draw("gpt2", ax=Figure().add_subplot(), title=3)  # type: ignore[arg-type]
