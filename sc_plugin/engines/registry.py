"""Engines by name, for the command line, the Yosys pass and the flows: `exact`, `abc`, `mcts`, `portfolio`.

`make_engine(EngineParams(name=...))` builds a fresh engine from one params structure that nests every engine's
own params. `mcts` (`engines/learned.py`) loads torch and its model only when asked for; a clear ScError says
when it is unavailable. In a portfolio it is built on the first function the portfolio asks it for
(`DeferredEngine`): on designs where no function reaches it, torch and the model are never loaded.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Callable, Sequence

from sc_plugin.abc.runner import find_abc
from sc_plugin.engines.abc_engine import AbcEngine, AbcParams
from sc_plugin.engines.base import Budget, Candidate, Engine, ask_engine
from sc_plugin.engines.decompose import DecomposeParams, DecomposingEngine
from sc_plugin.engines.exact_sat import ExactEngine, ExactParams
from sc_plugin.engines.learned import MctsEngine, MctsParams
from sc_plugin.engines.polish import PolishingEngine, PolishParams
from sc_plugin.engines.portfolio import PortfolioEngine, PortfolioParams
from sc_plugin.errors import AbcNotFoundError, ScError

__all__ = ["ENGINE_NAMES", "EngineParams", "DeferredEngine", "make_engine", "cache_members"]

log = logging.getLogger(__name__)

ENGINE_NAMES = ("exact", "abc", "mcts", "portfolio")


@dataclass(frozen=True)
class EngineParams:
    """Which engine, and the params of every engine it may build (a portfolio builds several)."""

    name: str = "portfolio"  # one of ENGINE_NAMES
    abc: AbcParams = AbcParams()
    exact: ExactParams = ExactParams()
    mcts: MctsParams = MctsParams()
    portfolio: PortfolioParams = PortfolioParams()
    use_mcts_in_portfolio: bool = True  # the portfolio adds the learned engine when its model loads
    use_mcts_fallback: bool = True  # mcts decomposes the functions its search leaves unsolved (engines/decompose.py)
    decompose: DecomposeParams = DecomposeParams()
    use_mcts_polish: bool = True  # mcts's circuits are polished: ABC restarted from them, then local moves
    # (engines/polish.py)
    polish: PolishParams = PolishParams()


def _abc_available() -> bool:
    try:
        find_abc()
    except AbcNotFoundError:
        return False
    return True


def _make_mcts_engine(params: MctsParams) -> Engine:
    try:
        return MctsEngine(params)
    except ScError:
        raise
    except Exception as exc:  # a missing model file, torch missing and the like
        raise ScError(f"engine 'mcts' is unavailable: {type(exc).__name__}: {exc}") from None


def _learned_engine(params: EngineParams) -> Engine:
    """The learned engine, with the decomposition fallback and polishing unless params switch them off."""
    engine = _make_mcts_engine(params.mcts)
    if params.use_mcts_fallback:
        engine = DecomposingEngine(engine, params.decompose)
    if params.use_mcts_polish:
        # cuts of up to 4 leaves come from the NPN4 library; wider ones would need SAT within the exact budget
        engine = PolishingEngine(engine, params.polish, exact=ExactEngine(params.exact))
    return engine


class DeferredEngine:
    """Engine protocol over an engine that `build` makes on the first call, so that its cost (the learned engine:
    importing torch, loading the model) is paid only where it is used. If `build` raises ScError, the failure is
    logged once and every call answers None, as an engine that finds nothing would."""

    def __init__(self, name: str, build: Callable[[], Engine]) -> None:
        self.name = name
        self.engine: Engine | None = None  # the built engine (`wrapped_engines` follows it for stats)
        self._build: Callable[[], Engine] | None = build

    @property
    def failed(self) -> bool:
        """Whether building the engine failed: it answers None to everything, and a portfolio stops sharing its
        time with it."""
        return self._build is None and self.engine is None

    def synthesize(self, table: int, num_inputs: int, *, budget: Budget,
                   care: int | None = None) -> Candidate | None:
        return self.synthesize_batch([(table, num_inputs)], budget=budget, cares=[care])[0]

    def synthesize_batch(self, functions: Sequence[tuple[int, int]], *, budget: Budget,
                         cares: Sequence[int | None] | None = None) -> list[Candidate | None]:
        if self._build is not None:
            build, self._build = self._build, None
            try:
                self.engine = build()
            except ScError as exc:
                log.warning("%s left out: %s", self.name, exc)
        if self.engine is None:
            return [None] * len(functions)
        return ask_engine(self.engine, functions, budget=budget, cares=cares)


def cache_members(params: EngineParams) -> tuple[str, ...]:
    """The engines whose cache entries may answer the engine `params` describe, besides its own: a portfolio's
    members (the exact engine, the ABC engine it takes its upper bound from, and the learned engine when it is
    in), whose results it would consider anyway; none for the other engines."""
    if params.name != "portfolio":
        return ()
    return ("exact", "abc", "mcts") if params.use_mcts_in_portfolio else ("exact", "abc")


def make_engine(params: EngineParams = EngineParams()) -> Engine:
    """A fresh engine.

    exact: SAT exact synthesis with ABC's result as upper bound when ABC is available (then it proves ABC optimal
        or beats it); abc: ABC scripts on truth tables, batched; mcts: the learned engine, with its decomposition
    fallback, its results polished; portfolio: exact (with ABC) then mcts as above when it is available,
    smallest verified result.
    """
    if params.name == "abc":
        return AbcEngine(params.abc)
    if params.name == "exact":
        upper = AbcEngine(params.abc) if _abc_available() else None
        if upper is None:
            log.warning("ABC not found: the exact engine runs without an upper bound")
        return ExactEngine(params.exact, upper_bound=upper)
    if params.name == "mcts":
        return _learned_engine(params)
    if params.name == "portfolio":
        engines: list[Engine] = [make_engine(EngineParams(name="exact", abc=params.abc, exact=params.exact))]
        if params.use_mcts_in_portfolio:
            engines.append(DeferredEngine("mcts", lambda: _learned_engine(params)))
        return PortfolioEngine(engines, params.portfolio)
    raise ScError(f"unknown engine {params.name!r}; choose one of {', '.join(ENGINE_NAMES)}")
