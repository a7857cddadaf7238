"""Resynthesis engines behind one interface (`base.Engine`): exact SAT, ABC, portfolio, cache, NPN4 library."""

from sc_plugin.engines.abc_engine import AbcEngine, AbcParams
from sc_plugin.engines.base import Budget, Candidate, Engine, NullEngine, make_candidate, synthesize_each
from sc_plugin.engines.cache import CachedEngine, SynthesisCache, default_cache_path
from sc_plugin.engines.exact_sat import ExactEngine, ExactOutcome, ExactParams, exact_synthesize
from sc_plugin.engines.portfolio import PortfolioEngine, PortfolioParams
from sc_plugin.engines.registry import ENGINE_NAMES, make_engine

__all__ = [
    "Budget", "Candidate", "Engine", "NullEngine", "make_candidate", "synthesize_each",
    "ExactEngine", "ExactParams", "ExactOutcome", "exact_synthesize",
    "AbcEngine", "AbcParams",
    "PortfolioEngine", "PortfolioParams",
    "CachedEngine", "SynthesisCache", "default_cache_path",
    "ENGINE_NAMES", "make_engine",
]
