"""The learned engine's parts: environment (`actions`), network (`model`), tree search (`search`), supervised data
(`data`), training (`train`), checkpoints (`checkpoint`) and evaluation (`evaluate`). The engine itself is
`sc_plugin.engines.learned.MctsEngine`."""

from sc_plugin.learned.actions import (MAX_NODES, NUM_ACTIONS, State, decode_action, encode_action, initial_state,
                                       step)
from sc_plugin.learned.checkpoint import CheckpointError, load_checkpoint, load_model, save_checkpoint
from sc_plugin.learned.model import ModelConfig, PolicyValueNet
from sc_plugin.learned.search import SearchParams, SearchResult, search

__all__ = [
    "MAX_NODES", "NUM_ACTIONS", "State", "encode_action", "decode_action", "initial_state", "step",
    "ModelConfig", "PolicyValueNet",
    "SearchParams", "SearchResult", "search",
    "CheckpointError", "load_checkpoint", "load_model", "save_checkpoint",
]
