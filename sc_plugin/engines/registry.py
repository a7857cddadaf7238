"""Engine names for the command line and the Yosys pass: `exact`, `abc`, `mcts`, `portfolio`.

`make_engine(name)` builds a fresh engine. `mcts` lives in `sc_plugin.engines.learned` (another module, optional
at run time) and is imported only when asked for; a clear ScError says when it is unavailable.
"""

from __future__ import annotations

import logging

from sc_plugin.engines.abc_engine import AbcEngine, AbcParams
from sc_plugin.engines.base import Engine
from sc_plugin.engines.exact_sat import ExactEngine, ExactParams
from sc_plugin.engines.portfolio import PortfolioEngine, PortfolioParams
from sc_plugin.errors import AbcNotFoundError, ScError

__all__ = ["ENGINE_NAMES", "make_engine", "make_mcts_engine"]

log = logging.getLogger(__name__)

ENGINE_NAMES = ("exact", "abc", "mcts", "portfolio")


def _abc_available() -> bool:
    from sc_plugin.abc.runner import find_abc
    try:
        find_abc()
    except AbcNotFoundError:
        return False
    return True


def make_mcts_engine() -> Engine:
    """The learned engine (`sc_plugin.engines.learned.MctsEngine`); ScError if it cannot be loaded."""
    try:
        from sc_plugin.engines.learned import MctsEngine  # type: ignore[attr-defined]
    except ImportError as exc:
        raise ScError(f"engine 'mcts' is unavailable: sc_plugin.engines.learned.MctsEngine cannot be imported "
                      f"({exc})") from None
    try:
        return MctsEngine()
    except ScError:
        raise
    except Exception as exc:  # a missing model file and the like; the learned module owns its details
        raise ScError(f"engine 'mcts' is unavailable: {type(exc).__name__}: {exc}") from None


def make_engine(name: str, *, exact_params: ExactParams = ExactParams(), abc_params: AbcParams = AbcParams(),
                portfolio_params: PortfolioParams = PortfolioParams(), use_mcts_in_portfolio: bool = True
                ) -> Engine:
    """A fresh engine by name.

    exact: SAT exact synthesis with ABC's result as upper bound when ABC is available (then it proves ABC optimal
        or beats it); abc: ABC scripts on truth tables, batched; mcts: the learned engine;
    portfolio: exact (with ABC) then mcts when it is available, smallest verified result.
    """
    if name == "abc":
        return AbcEngine(abc_params)
    if name == "exact":
        upper = AbcEngine(abc_params) if _abc_available() else None
        if upper is None:
            log.warning("ABC not found: the exact engine runs without an upper bound")
        return ExactEngine(exact_params, upper_bound=upper)
    if name == "mcts":
        return make_mcts_engine()
    if name == "portfolio":
        engines: list[Engine] = [make_engine("exact", exact_params=exact_params, abc_params=abc_params)]
        if use_mcts_in_portfolio:
            try:
                engines.append(make_mcts_engine())
            except ScError as exc:
                log.info("portfolio without mcts: %s", exc)
        return PortfolioEngine(engines, portfolio_params)
    raise ScError(f"unknown engine {name!r}; choose one of {', '.join(ENGINE_NAMES)}")
