"""The learned model and its search: environment (`actions`), tree search (`search`), network (`model`) and
checkpoints (`checkpoint`). The engine itself is `sc_plugin.engines.learned.MctsEngine`, and training the model is
`sc_plugin.training`, both layers above this one. `model` and `checkpoint` need torch and are imported by name, so
that the package itself loads without it."""

from sc_plugin.learned.actions import (MAX_NODES, NUM_ACTIONS, State, decode_action, encode_action, initial_state,
                                       step)
from sc_plugin.learned.search import SearchParams, SearchResult, search

__all__ = [
    "MAX_NODES", "NUM_ACTIONS", "State", "encode_action", "decode_action", "initial_state", "step",
    "SearchParams", "SearchResult", "search",
]
