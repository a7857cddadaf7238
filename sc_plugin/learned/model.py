"""The policy-value transformer, read top to bottom: config, features, attention block, trunk, heads, model.

Tokens: one target token (T*) followed by one token per node (inputs, then ANDs), no positional encoding; the order
of node tokens only fixes which row/column of the policy maps belongs to which node. Node features are the ±1 bits
of the node's tiled 256-bit table and the ±1 bits of (table XOR T*) (an extra input feature: agreement with the
target per minterm); the target token gets T*'s bits and zeros. A third block of 256 marks the target's don't
cares (1 on minterms outside its care mask, 0 elsewhere) on every token. T*'s bits on its don't cares stay as given:
they are one completion, often the one the circuit had, which is a hint worth keeping; the third block says which
bits the episode may ignore. A completely specified target has a zero third block, so weights that ignore the block
(zeros, as a checkpoint trained before it had) read it exactly as a model without it. A learned type embedding marks
input / AND / target.

Policy: per polarity p a bilinear score map q_p(h_i) . k_p(h_j) over node tokens, placed into the fixed
(4, MAX_NODES, MAX_NODES) action grid of `actions.py`; one joint softmax over the legal actions.
Value: the target token cross-attends to the node tokens, then an MLP and tanh, in [-1, 1].
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass
from typing import Callable, Protocol, Sequence

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

from sc_plugin.learned.actions import MAX_NODES, NUM_ACTIONS, State, table_bits

__all__ = ["ModelConfig", "PolicyValueNet", "Tokens", "deepen", "featurize", "network_evaluator",
           "masked_log_softmax", "TYPE_INPUT", "TYPE_AND", "TYPE_TARGET", "TYPE_PAD"]

TYPE_TARGET, TYPE_INPUT, TYPE_AND, TYPE_PAD = 0, 1, 2, 3
FEATURES = 768  # 256 table bits + 256 bits of table XOR target + 256 don't-care bits of the target
# Attention pads the token axis to a multiple of this: CPU attention kernels vectorize only rows of such lengths,
# and at other lengths (a state's 1 + nodes) they are several times slower. Pad tokens are masked as keys.
TOKEN_MULTIPLE = 16


@dataclass
class ModelConfig:
    d_model: int = 128  # token width; small, because search evaluates one state at a time on one CPU thread
    n_layer: int = 3  # trunk depth to train from scratch; `deepen` adds blocks to a trained model later
    n_head: int = 4  # attention heads per block (must divide d_model)
    d_ff: int = 256  # MLP hidden width per block
    d_policy: int = 32  # width of the per-polarity query/key vectors of the policy maps
    dropout: float = 0.0  # small model, plenty of data: no dropout

    def __post_init__(self) -> None:
        assert self.d_model % self.n_head == 0, "n_head must divide d_model"

    def to_dict(self) -> dict:
        return asdict(self)


class Tokens(Protocol):
    """What the network reads of a state. `actions.State` has these fields, and so do training samples, so the
    model needs neither the training code nor a common base class."""

    @property
    def num_inputs(self) -> int: ...

    @property
    def num_nodes(self) -> int: ...

    @property
    def target(self) -> np.ndarray: ...  # (4,) uint64, the tiled target table T*

    @property
    def tables(self) -> np.ndarray: ...  # (num_nodes, 4) uint64, the node tables, inputs first

    @property
    def care(self) -> np.ndarray: ...  # (4,) uint64, the tiled care mask of T*; all ones when completely specified


def featurize(states: Sequence[Tokens]) -> tuple[torch.Tensor, torch.Tensor]:
    """Token features and types for a batch of states (or training samples, which carry the same token fields).

    Returns features (B, 1 + L, FEATURES) float32 and types (B, 1 + L) int64, L = the largest node count in the
    batch; position 0 is the target token, padding positions have type TYPE_PAD and zero features.
    """
    batch = len(states)
    length = max(s.num_nodes for s in states)
    tables = np.zeros((batch, 1 + length, 4), dtype=np.uint64)
    types = np.full((batch, 1 + length), TYPE_PAD, dtype=np.int64)
    cares = np.zeros((batch, 4), dtype=np.uint64)
    for b, s in enumerate(states):
        tables[b, 0] = s.target
        cares[b] = s.care
        tables[b, 1:1 + s.num_nodes] = s.tables
        types[b, 0] = TYPE_TARGET
        types[b, 1:1 + s.num_inputs] = TYPE_INPUT
        types[b, 1 + s.num_inputs:1 + s.num_nodes] = TYPE_AND
    return tables_to_features(tables, types, cares)


def tables_to_features(tables: np.ndarray, types: np.ndarray, cares: np.ndarray
                       ) -> tuple[torch.Tensor, torch.Tensor]:
    """tables (B, T, 4) uint64 with the target at position 0, types (B, T), cares (B, 4) uint64 care masks of the
    targets -> (features, types) as in featurize."""
    bits = table_bits(tables).astype(np.float32) * 2.0 - 1.0  # (B, T, 256) in ±1
    xor = table_bits(tables ^ tables[:, :1]).astype(np.float32) * 2.0 - 1.0  # (B, T, 256)
    xor[:, 0] = 0.0  # the target token carries no XOR feature
    dont_care = np.broadcast_to(1.0 - table_bits(cares).astype(np.float32)[:, None, :], bits.shape)  # (B, T, 256)
    feats = np.concatenate([bits, xor, dont_care], axis=-1)
    feats[types == TYPE_PAD] = 0.0
    return torch.from_numpy(feats), torch.from_numpy(types)


def masked_log_softmax(logits: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
    """log softmax over the legal entries of (B, A) logits; illegal entries get -inf (a row needs one legal)."""
    return F.log_softmax(logits.masked_fill(~mask, float("-inf")), dim=-1)


def padded_key_mask(key_ok: torch.Tensor) -> torch.Tensor:
    """(B, T) key mask -> (B, T + pad), padded with False to a multiple of TOKEN_MULTIPLE tokens."""
    return F.pad(key_ok, (0, -key_ok.shape[1] % TOKEN_MULTIPLE))


class SelfAttention(nn.Module):
    def __init__(self, config: ModelConfig) -> None:
        super().__init__()
        self.n_head = config.n_head
        self.qkv = nn.Linear(config.d_model, 3 * config.d_model)
        self.proj = nn.Linear(config.d_model, config.d_model)
        self.dropout = config.dropout

    def forward(self, x: torch.Tensor, key_ok: torch.Tensor) -> torch.Tensor:
        batch, tokens, width = x.shape  # (B, T, C)
        q, k, v = self.qkv(x).split(width, dim=2)
        q = q.view(batch, tokens, self.n_head, width // self.n_head).transpose(1, 2)  # (B, H, T, C/H)
        k = k.view(batch, tokens, self.n_head, width // self.n_head).transpose(1, 2)
        v = v.view(batch, tokens, self.n_head, width // self.n_head).transpose(1, 2)
        pad = key_ok.shape[1] - tokens  # key_ok is padded to a multiple of TOKEN_MULTIPLE (`padded_key_mask`)
        q, k, v = (F.pad(t, (0, 0, 0, pad)) for t in (q, k, v))  # (B, H, T + pad, C/H)
        attn_mask = key_ok[:, None, None, :]  # (B, 1, 1, T + pad): padding keys are never attended
        y = F.scaled_dot_product_attention(q, k, v, attn_mask=attn_mask,
                                           dropout_p=self.dropout if self.training else 0.0)[:, :, :tokens]
        y = y.transpose(1, 2).contiguous().view(batch, tokens, width)  # (B, T, C)
        return self.proj(y)


class Block(nn.Module):
    def __init__(self, config: ModelConfig) -> None:
        super().__init__()
        self.ln1 = nn.LayerNorm(config.d_model)
        self.attn = SelfAttention(config)
        self.ln2 = nn.LayerNorm(config.d_model)
        self.mlp = nn.Sequential(nn.Linear(config.d_model, config.d_ff), nn.GELU(),
                                 nn.Linear(config.d_ff, config.d_model))

    def forward(self, x: torch.Tensor, key_ok: torch.Tensor) -> torch.Tensor:
        x = x + self.attn(self.ln1(x), key_ok)
        return x + self.mlp(self.ln2(x))


class PolicyValueNet(nn.Module):
    def __init__(self, config: ModelConfig) -> None:
        super().__init__()
        self.config = config
        d = config.d_model
        self.embed = nn.Linear(FEATURES, d)
        self.type_embed = nn.Embedding(4, d)
        self.blocks = nn.ModuleList([Block(config) for _ in range(config.n_layer)])
        self.ln_f = nn.LayerNorm(d)
        self.policy_qk = nn.Linear(d, 2 * 4 * config.d_policy)  # q and k for each of the 4 polarities
        self.value_query = nn.Linear(d, d)
        self.value_kv = nn.Linear(d, 2 * d)
        self.value_mlp = nn.Sequential(nn.Linear(2 * d, d), nn.GELU(), nn.Linear(d, 1))

    def num_params(self) -> int:
        return sum(p.numel() for p in self.parameters())

    def forward(self, features: torch.Tensor, types: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        """features (B, T, FEATURES), types (B, T) with the target at position 0 and T - 1 <= MAX_NODES.

        Returns policy logits (B, NUM_ACTIONS) (structurally impossible actions, i >= j or beyond the nodes, at
        -inf; the legality mask of a state is applied by the caller) and values (B,) in [-1, 1].
        """
        batch, tokens, _ = features.shape
        nodes = tokens - 1
        assert nodes <= MAX_NODES, f"{nodes} nodes > MAX_NODES={MAX_NODES}"
        key_ok = types != TYPE_PAD  # (B, T)
        attention_keys = padded_key_mask(key_ok)  # once for all blocks
        x = self.embed(features) + self.type_embed(types)  # (B, T, C)
        for block in self.blocks:
            x = block(x, attention_keys)
        x = self.ln_f(x)  # (B, T, C)
        target, node_h = x[:, 0], x[:, 1:]  # (B, C), (B, N, C)
        node_ok = key_ok[:, 1:]  # (B, N)

        dp = self.config.d_policy
        qk = self.policy_qk(node_h).view(batch, nodes, 2, 4, dp)  # (B, N, 2, 4, dp)
        q = qk[:, :, 0].transpose(1, 2)  # (B, 4, N, dp)
        k = qk[:, :, 1].transpose(1, 2)  # (B, 4, N, dp)
        scores = q @ k.transpose(-1, -2) / math.sqrt(dp)  # (B, 4, N, N)
        upper = torch.ones(nodes, nodes, dtype=torch.bool, device=features.device).triu(1)  # i < j
        pair_ok = node_ok[:, :, None] & node_ok[:, None, :] & upper
        scores = scores.masked_fill(~pair_ok[:, None], float("-inf"))
        logits = features.new_full((batch, 4, MAX_NODES, MAX_NODES), float("-inf"))
        logits[:, :, :nodes, :nodes] = scores
        logits = logits.view(batch, NUM_ACTIONS)  # (B, A)

        d = self.config.d_model
        query = self.value_query(target)[:, None, :]  # (B, 1, C)
        key, value = self.value_kv(node_h).split(d, dim=-1)  # (B, N, C) each
        pooled = F.scaled_dot_product_attention(query, key, value, attn_mask=node_ok[:, None, :])[:, 0]  # (B, C)
        values = torch.tanh(self.value_mlp(torch.cat([target, pooled], dim=-1)))[:, 0]  # (B,)
        return logits, values


def deepen(model: PolicyValueNet, n_layer: int) -> PolicyValueNet:
    """A copy of `model` with n_layer blocks that computes the same function: the added blocks go after the trained
    ones, and their residual outputs (attention and MLP projections) start at zero, so each is the identity until
    training moves it. Lets a trained model gain depth without starting over."""
    old = model.config.n_layer
    if n_layer < old:
        raise ValueError(f"cannot deepen a {old}-block model to {n_layer} blocks")
    grown = PolicyValueNet(ModelConfig(**{**model.config.to_dict(), "n_layer": n_layer}))
    missing, unexpected = grown.load_state_dict(model.state_dict(), strict=False)
    assert not unexpected and all(int(key.split(".")[1]) >= old for key in missing), (missing, unexpected)
    with torch.no_grad():
        for block in grown.blocks[old:]:
            for out in (block.attn.proj, block.mlp[-1]):
                out.weight.zero_()
                out.bias.zero_()
    return grown


def network_evaluator(model: PolicyValueNet) -> Callable[[Sequence[State]], tuple[np.ndarray, np.ndarray]]:
    """The `evaluate` callable that `search` takes: states -> (logits (B, A) float32, values (B,) float32). The
    states are featurized on the CPU and evaluated where, and in the dtype that, the model's weights are."""
    weight = next(model.parameters())

    @torch.no_grad()
    def evaluate(states: Sequence[State]) -> tuple[np.ndarray, np.ndarray]:
        features, types = featurize(states)
        logits, values = model(features.to(weight.device, weight.dtype), types.to(weight.device))
        return logits.float().cpu().numpy(), values.float().cpu().numpy()

    return evaluate
