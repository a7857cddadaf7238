"""Training the learned engine, a layer above `sc_plugin.engines` (the data builder asks an engine for gold
implementations, evaluation runs the `mcts` engine): phase-1 data (`data`) and supervised training (`train`),
phase-2 self-play (`selfplay`, run by `workers`) and its loop (`rl`), evaluation on cut-function sets (`evaluate`),
and the named configs (`configs/*.yaml`). The modules need torch and are imported by name."""
