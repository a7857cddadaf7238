"""Model: output shapes, structural -inf entries, the don't-care block in the features, masked softmax, padding
invariance (batch and attention), deepening, evaluation in bfloat16."""

import numpy as np
import pytest
import torch

import sc_plugin.learned.model as model_module
from sc_plugin.learned.actions import NUM_ACTIONS, encode_action, initial_state, step
from sc_plugin.learned.model import (ModelConfig, PolicyValueNet, deepen, featurize, masked_log_softmax,
                                     network_evaluator)

TINY = ModelConfig(d_model=32, n_layer=1, n_head=2, d_ff=64, d_policy=8)


def _states():
    a = initial_state(0x96, 3)
    b = step(step(initial_state(0x6996, 4), encode_action(0, 0, 1)), encode_action(1, 2, 3))
    return [a, b]


def test_shapes_and_structural_mask():
    torch.manual_seed(0)
    model = PolicyValueNet(TINY).eval()
    states = _states()
    features, types = featurize(states)
    assert features.shape == (2, 1 + 6, 768) and types.shape == (2, 7)
    logits, values = model(features, types)
    assert logits.shape == (2, NUM_ACTIONS) and values.shape == (2,)
    assert torch.all(values.abs() <= 1)
    for s, row in zip(states, logits):
        legal = torch.from_numpy(s.mask)
        assert torch.isfinite(row[legal]).all()  # every legal action has a finite logit
    assert torch.isinf(logits[0, encode_action(0, 3, 4)])  # beyond the 3 nodes of state 0


def test_dont_care_block_marks_the_targets_dont_cares_and_leaves_the_rest_unchanged():
    complete = initial_state(0x6996, 4)
    partial = initial_state(0x6996, 4, care=0x0FF0)  # minterms 4..11 matter
    features, _ = featurize([complete, partial])
    cared = np.array([(m % 16) in range(4, 12) for m in range(256)])  # tiled: minterm m is m mod 16 of 4 inputs
    assert torch.equal(features[0, :, :512], features[1, :, :512])  # tables and XORs as for the completion
    assert torch.all(features[0, :, 512:] == 0)  # complete: the block is zero
    dont_care = features[1, :, 512:]
    assert torch.all(dont_care[:, ~cared] == 1) and torch.all(dont_care[:, cared] == 0)


def test_zero_weights_on_the_dont_care_block_read_a_care_target_as_its_completion():
    torch.manual_seed(0)
    model = PolicyValueNet(TINY).eval()
    with torch.no_grad():
        model.embed.weight[:, 512:] = 0.0
    complete = initial_state(0x6996, 4)
    partial = initial_state(0x6996, 4, care=0x0FF0)
    with torch.no_grad():
        logits, values = model(*featurize([complete, partial]))
    assert torch.allclose(logits[0], logits[1], atol=1e-6) and torch.allclose(values[0], values[1], atol=1e-6)
    with torch.no_grad():
        model.embed.weight[:, 512:] = torch.randn(model.embed.weight.shape[0], 256)
        logits, values = model(*featurize([complete, partial]))
    assert not torch.allclose(logits[0], logits[1], atol=1e-3)  # with weights on it, the block reaches the policy


def test_masked_log_softmax_sums_to_one_over_legal():
    logits = torch.randn(3, 10)
    mask = torch.zeros(3, 10, dtype=torch.bool)
    mask[:, [1, 4, 7]] = True
    probs = masked_log_softmax(logits, mask).exp()
    assert torch.allclose(probs.sum(-1), torch.ones(3))
    assert torch.all(probs[~mask] == 0)


def test_padding_does_not_change_outputs():
    torch.manual_seed(0)
    model = PolicyValueNet(TINY).eval()
    states = _states()
    with torch.no_grad():
        alone_logits, alone_value = model(*featurize(states[:1]))
        batch_logits, batch_values = model(*featurize(states))
    finite = torch.isfinite(alone_logits[0])
    assert torch.allclose(alone_logits[0][finite], batch_logits[0][finite], atol=1e-5)
    assert torch.allclose(alone_value, batch_values[:1], atol=1e-5)


def test_attention_padding_to_token_multiple_does_not_change_outputs(monkeypatch):
    torch.manual_seed(0)
    model = PolicyValueNet(TINY).eval()
    features, types = featurize(_states())  # 7 tokens: attention pads them to 16
    with torch.no_grad():
        padded_logits, padded_values = model(features, types)
        monkeypatch.setattr(model_module, "TOKEN_MULTIPLE", 1)
        plain_logits, plain_values = model(features, types)
    assert torch.equal(torch.isfinite(padded_logits), torch.isfinite(plain_logits))
    finite = torch.isfinite(plain_logits)
    assert torch.allclose(padded_logits[finite], plain_logits[finite], atol=1e-5)
    assert torch.allclose(padded_values, plain_values, atol=1e-5)


def test_param_count_of_default_config_in_range():
    assert 300_000 <= PolicyValueNet(ModelConfig()).num_params() <= 2_000_000


def test_deepen_keeps_the_function_and_adds_trainable_blocks():
    torch.manual_seed(0)
    model = PolicyValueNet(TINY).eval()
    grown = deepen(model, 3).eval()
    assert grown.config.n_layer == 3 and len(grown.blocks) == 3 and grown.num_params() > model.num_params()
    with torch.no_grad():
        before, after = model(*featurize(_states())), grown(*featurize(_states()))
    finite = torch.isfinite(before[0])
    assert torch.equal(finite, torch.isfinite(after[0]))
    assert torch.allclose(before[0][finite], after[0][finite]) and torch.allclose(before[1], after[1])
    logits, values = grown(*featurize(_states()))
    (logits[torch.isfinite(logits)].sum() + values.sum()).backward()
    assert grown.blocks[2].attn.proj.weight.grad.abs().sum() > 0  # the identity block still learns
    with pytest.raises(ValueError, match="cannot deepen"):
        deepen(grown, 2)


def test_bfloat16_evaluator_returns_float32_close_to_float32():
    torch.manual_seed(0)
    model = PolicyValueNet(TINY).eval()
    states = _states()
    logits32, values32 = network_evaluator(model)(states)
    logits16, values16 = network_evaluator(model.to(torch.bfloat16))(states)
    assert logits16.dtype == logits32.dtype == values16.dtype == np.float32
    finite = np.isfinite(logits32)
    assert (np.isfinite(logits16) == finite).all()  # the same structural mask
    assert np.allclose(logits16[finite], logits32[finite], atol=0.1)
    assert np.allclose(values16, values32, atol=0.05)
