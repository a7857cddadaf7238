from __future__ import annotations

import logging
import sqlite3
import subprocess
import sys
import time

import pytest

from sc_plugin.aig.network import Aig
from sc_plugin.aig.functions import npn_key
from sc_plugin.aig.npn import NpnTransform
from sc_plugin.aig.simulate import output_truth_tables
from sc_plugin.engines.base import Budget, Candidate, NullEngine, make_candidate
from sc_plugin.engines.cache import SCHEMA_VERSION, CachedEngine, SynthesisCache, default_cache_path
from sc_plugin.engines.exact_sat import ExactEngine, ExactParams
from sc_plugin.errors import ScError

SAT_ONLY = ExactParams(use_library=False)


class CountingEngine:
    """Wraps an engine and counts calls."""

    def __init__(self, engine) -> None:
        self.engine = engine
        self.name = engine.name
        self.calls = 0

    def synthesize(self, table, num_inputs, *, budget, care=None):
        self.calls += 1
        return self.engine.synthesize(table, num_inputs, budget=budget, care=care)

    def synthesize_batch(self, functions, *, budget, cares=None):
        cares = cares or [None] * len(functions)
        return [self.synthesize(t, n, budget=budget, care=c) for (t, n), c in zip(functions, cares)]


def _run_sql(path, sql: str, args: tuple = ()) -> None:
    """Runs one statement on the cache file directly, behind the cache's back."""
    conn = sqlite3.connect(path)
    conn.execute(sql, args)
    conn.commit()
    conn.close()


def test_round_trip_across_two_connections(tmp_path):
    path = tmp_path / "c.sqlite"
    inner = CountingEngine(ExactEngine(SAT_ONLY))
    with SynthesisCache(path) as cache:
        first = CachedEngine(inner, cache).synthesize(0xE8, 3, budget=Budget())
    assert first.ands == 4 and inner.calls == 1
    with SynthesisCache(path) as cache:
        engine = CachedEngine(NullEngine(), cache, reuse=True)  # any engine's entries answer
        # a function of the same NPN class (inputs permuted and complemented, output complemented) hits
        again = engine.synthesize(0xE8 ^ 0xFF, 3, budget=Budget())
        assert again is not None and again.ands == 4 and again.optimal and again.verified
        assert engine.stats.hits == 1 and len(cache) == 1


def test_round_trip_across_two_processes(tmp_path):
    path = tmp_path / "c.sqlite"
    code = ("import sys; from sc_plugin.engines import *; c = SynthesisCache(sys.argv[1]); "
            "e = CachedEngine(ExactEngine(ExactParams(use_library=False)), c); "
            "print(e.synthesize(0xCA, 3, budget=Budget()).ands)")
    out = subprocess.run([sys.executable, "-c", code, str(path)], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "3"
    with SynthesisCache(path) as cache:
        hit = CachedEngine(NullEngine(), cache, members=("exact",)).synthesize(0xCA, 3, budget=Budget())
    assert hit is not None and hit.ands == 3


def test_corrupt_file_is_moved_aside_and_rebuilt(tmp_path, caplog):
    path = tmp_path / "c.sqlite"
    path.write_bytes(b"this is not a database" * 100)
    with caplog.at_level(logging.WARNING):
        with SynthesisCache(path) as cache:
            assert len(cache) == 0
            CachedEngine(ExactEngine(SAT_ONLY), cache).synthesize(0x8, 2, budget=Budget())
            assert len(cache) == 1
    assert "unreadable" in caplog.text
    assert list(tmp_path.glob("c.sqlite.corrupt-*"))


def test_tampered_entry_is_dropped_never_returned(tmp_path, caplog):
    path = tmp_path / "c.sqlite"
    with SynthesisCache(path) as cache:
        CachedEngine(ExactEngine(SAT_ONLY), cache).synthesize(0xE8, 3, budget=Budget())
    # replace the stored implementation by a wrong one (an AND of the first two inputs)
    wrong = "aag 4 3 0 1 1\n2\n4\n6\n8\n8 2 4\n"
    _run_sql(path, "UPDATE classes SET aag = ?, ands = 1", (wrong,))
    with caplog.at_level(logging.WARNING):
        with SynthesisCache(path) as cache:
            engine = CachedEngine(NullEngine(), cache, reuse=True)
            assert engine.synthesize(0xE8, 3, budget=Budget()) is None
            assert engine.stats.rejected == 1 and len(cache) == 0
    assert "does not implement" in caplog.text


def test_unparsable_entry_is_dropped(tmp_path):
    path = tmp_path / "c.sqlite"
    with SynthesisCache(path) as cache:
        CachedEngine(ExactEngine(SAT_ONLY), cache).synthesize(0xE8, 3, budget=Budget())
    _run_sql(path, "UPDATE classes SET aag = 'garbage'")
    with SynthesisCache(path) as cache:
        assert CachedEngine(NullEngine(), cache, reuse=True).synthesize(0xE8, 3, budget=Budget()) is None
        assert len(cache) == 0


def test_upsert_keeps_the_smaller(tmp_path):
    key = npn_key(0xE8, 3)
    k, canon, transform = key.num_inputs, key.canon, key.transform
    big = Aig()
    pis = [big.create_pi() for _ in range(3)]
    a, b, c = pis
    # majority with a redundant extra AND: (a&b) | (c & (a|b)), built without sharing
    x = big.add_and_unhashed(a, b)
    y = big.create_or(a, b)
    z = big.create_and(c, y)
    big.create_po(big.create_or(x, z))
    with SynthesisCache(tmp_path / "c.sqlite") as cache:
        best = ExactEngine(SAT_ONLY).synthesize(canon, 3, budget=Budget()).implementation
        cache.store(k, canon, best, engine="exact", time_s=0.1, optimal=True, budget_ms=1000, source="portfolio")
        canon_big = transform.inverse().undo_aig(big)
        cache.store(k, canon, canon_big, engine="abc", time_s=0.1, optimal=False, budget_ms=1000, source="portfolio")
        entry = cache.lookup(k, canon)
        assert entry.ands == 4 and entry.engine == "exact" and entry.source == "portfolio" and len(cache) == 1


def test_default_path_honours_env(monkeypatch, tmp_path):
    monkeypatch.setenv("SC_CACHE", str(tmp_path / "x.sqlite"))
    assert default_cache_path() == tmp_path / "x.sqlite"
    monkeypatch.delenv("SC_CACHE")
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    assert default_cache_path() == tmp_path / "sc_plugin" / "cache.sqlite"


def test_non_optimal_entry_is_retried_with_a_larger_budget(tmp_path):
    aig = Aig()
    a, b = aig.create_pi(), aig.create_pi()
    aig.create_po(aig.create_and(a, b))
    fixed = NamedFixed("fixed", aig)
    with SynthesisCache(tmp_path / "c.sqlite") as cache:
        engine = CachedEngine(fixed, cache)
        engine.synthesize(0x8, 2, budget=Budget(time_ms=100))
        engine.synthesize(0x8, 2, budget=Budget(time_ms=100))
        assert fixed.calls == 1
        engine.synthesize(0x8, 2, budget=Budget(time_ms=1000))
        assert fixed.calls == 2 and engine.stats.retries == 1
        # that run found nothing smaller, but its budget is recorded: not retried with it again
        engine.synthesize(0x8, 2, budget=Budget(time_ms=1000))
        assert fixed.calls == 2 and engine.stats.hits == 2


def test_rotten_entry_is_reported_as_cache_rot_not_as_an_engine_error(tmp_path, caplog):
    path = tmp_path / "c.sqlite"
    with SynthesisCache(path) as cache:
        CachedEngine(ExactEngine(SAT_ONLY), cache).synthesize(0xE8, 3, budget=Budget())
    _run_sql(path, "UPDATE classes SET aag = ?, engine = 'abc'", ("aag 4 3 0 1 1\n2\n4\n6\n8\n8 2 4\n",))
    with caplog.at_level(logging.WARNING):
        with SynthesisCache(path) as cache:
            assert CachedEngine(NullEngine(), cache, reuse=True).synthesize(0xE8, 3, budget=Budget()) is None
    assert f"cache {path}: entry of class" in caplog.text and "does not implement its function; deleted" in caplog.text
    assert "engine abc" not in caplog.text and "wrong implementation" not in caplog.text


def _file_bytes(path) -> dict:
    return {p.name: p.read_bytes() for p in sorted(path.parent.iterdir())}


def test_a_database_of_another_program_is_refused_and_left_untouched(tmp_path):
    for name, setup in (("tables.sqlite", "CREATE TABLE users (id INTEGER); INSERT INTO users VALUES (1)"),
                        ("both.sqlite", "CREATE TABLE classes (x TEXT); CREATE TABLE other (y TEXT)"),
                        ("layout.sqlite", "CREATE TABLE classes (x TEXT)"),
                        ("app.sqlite", "PRAGMA application_id = 1234")):
        folder = tmp_path / name.split(".")[0]
        folder.mkdir()
        path = folder / name
        conn = sqlite3.connect(path)
        conn.executescript(setup)
        conn.commit()
        conn.close()
        before = _file_bytes(path)
        with pytest.raises(ScError, match="database of another program") as info:
            SynthesisCache(path)
        assert "\n" not in str(info.value)
        assert _file_bytes(path) == before, name  # no table added, no WAL switch, nothing moved aside


def test_caches_without_the_application_id_are_adopted(tmp_path):
    # a cache written before the id existed: our table only
    path = tmp_path / "old.sqlite"
    _run_sql(path, """CREATE TABLE classes (num_inputs INTEGER NOT NULL, canon_hex TEXT NOT NULL, ands INTEGER NOT NULL,
        optimal INTEGER NOT NULL, engine TEXT NOT NULL, time_s REAL NOT NULL, budget_ms REAL NOT NULL,
        aag TEXT NOT NULL, updated REAL NOT NULL, PRIMARY KEY (num_inputs, canon_hex))""")
    empty = tmp_path / "empty.sqlite"
    sqlite3.connect(empty).close()
    for cache_path in (path, empty):
        with SynthesisCache(cache_path) as cache:
            assert len(cache) == 0
        conn = sqlite3.connect(cache_path)
        assert conn.execute("PRAGMA application_id").fetchone()[0] == 0x53434331
        conn.close()


class NamedFixed:
    """An engine named `name` that answers every function with `impl` (None when it is not the function, or when
    `impl` is None)."""

    def __init__(self, name: str, impl: Aig | None) -> None:
        self.name = name
        self.impl = impl
        self.calls = 0

    def synthesize(self, table, n, *, budget, care=None) -> Candidate | None:
        self.calls += 1
        if self.impl is None:
            return None
        return make_candidate(table, n, self.impl, engine=self.name, start_time=time.perf_counter(), care=care)

    def synthesize_batch(self, functions, *, budget, cares=None):
        cares = cares or [None] * len(functions)
        return [self.synthesize(t, n, budget=budget, care=c) for (t, n), c in zip(functions, cares)]


def _majority(redundant: bool) -> Aig:
    aig = Aig()
    a, b, c = (aig.create_pi() for _ in range(3))
    if redundant:  # 5 ANDs
        aig.create_po(aig.create_or(aig.create_or(aig.create_and(a, b), aig.create_and(a, c)), aig.create_and(b, c)))
    else:  # 4 ANDs
        aig.create_po(aig.create_or(aig.create_and(a, b), aig.create_and(c, aig.create_or(a, b))))
    return aig


def test_an_engine_gets_its_own_results_unless_reuse_is_allowed(tmp_path):
    with SynthesisCache(tmp_path / "c.sqlite") as cache:
        CachedEngine(NamedFixed("abc", _majority(False)), cache).synthesize(0xE8, 3, budget=Budget())
        mcts = NamedFixed("mcts", _majority(True))
        own = CachedEngine(mcts, cache)
        result = own.synthesize(0xE8, 3, budget=Budget())
        # abc's 4-AND entry is not mcts's answer: mcts runs, and its own 5-AND result is kept beside abc's
        assert result.ands == 5 and result.engine == "mcts" and mcts.calls == 1
        assert own.stats.misses == 1 and own.stats.hits == 0 and len(cache) == 2
        assert own.synthesize(0xE8, 3, budget=Budget()).ands == 5 and mcts.calls == 1 and own.stats.hits == 1
        reusing = CachedEngine(mcts, cache, reuse=True)
        result = reusing.synthesize(0xE8, 3, budget=Budget())
        assert result.ands == 4 and result.engine == "abc" and mcts.calls == 1 and reusing.stats.hits == 1


def test_a_member_entry_answers_a_portfolio_and_is_rerun_once(tmp_path):
    with SynthesisCache(tmp_path / "c.sqlite") as cache:
        CachedEngine(NamedFixed("abc", _majority(True)), cache).synthesize(0xE8, 3, budget=Budget())
        portfolio = NamedFixed("portfolio", _majority(False))
        cached = CachedEngine(portfolio, cache, members=("exact", "abc", "mcts"))
        # abc's entry is no result of the (stronger) portfolio: it is re-run, and its better result is kept
        assert cached.synthesize(0xE8, 3, budget=Budget()).ands == 4 and portfolio.calls == 1
        assert cached.stats.retries == 1 and cached.stats.hits == 0
        assert cached.synthesize(0xE8, 3, budget=Budget()).ands == 4 and portfolio.calls == 1
        assert cached.stats.hits == 1
        # a member's better entry answers the portfolio too
        with SynthesisCache(tmp_path / "d.sqlite") as other:
            CachedEngine(NamedFixed("exact", _majority(False)), other).synthesize(0xE8, 3, budget=Budget())
            big = NamedFixed("portfolio", _majority(True))
            result = CachedEngine(big, other, members=("exact",)).synthesize(0xE8, 3, budget=Budget())
            assert result.ands == 4 and result.engine == "exact" and big.calls == 1


_OLD_LAYOUTS = {  # schema version -> (its table, its row of abc's 4-AND majority: canon hex and AIGER to fill in)
    0: ("""CREATE TABLE classes (num_inputs INTEGER NOT NULL, canon_hex TEXT NOT NULL, ands INTEGER NOT NULL,
        optimal INTEGER NOT NULL, engine TEXT NOT NULL, time_s REAL NOT NULL, budget_ms REAL NOT NULL,
        aag TEXT NOT NULL, updated REAL NOT NULL, PRIMARY KEY (num_inputs, canon_hex))""",
        "INSERT INTO classes VALUES (3, ?, 4, 0, 'abc', 0.1, 250.0, ?, 0.0)"),
    2: ("""CREATE TABLE classes (num_inputs INTEGER NOT NULL, canon_hex TEXT NOT NULL, source TEXT NOT NULL,
        ands INTEGER NOT NULL, optimal INTEGER NOT NULL, engine TEXT NOT NULL, time_s REAL NOT NULL,
        budget_ms REAL NOT NULL, aag TEXT NOT NULL, updated REAL NOT NULL,
        PRIMARY KEY (num_inputs, canon_hex, source))""",
        "INSERT INTO classes VALUES (3, ?, 'abc', 4, 0, 'abc', 0.1, 250.0, ?, 0.0)"),
}


@pytest.mark.parametrize("version", sorted(_OLD_LAYOUTS))
def test_a_cache_of_an_old_schema_is_migrated_and_keeps_its_entries(tmp_path, version):
    path = tmp_path / "c.sqlite"
    key = npn_key(0xE8, 3)
    impl = key.transform.inverse().undo_aig(_majority(False))
    from sc_plugin.aig.aiger import aiger_bytes
    from sc_plugin.aig.truth import to_hex
    create, insert = _OLD_LAYOUTS[version]
    conn = sqlite3.connect(path)
    conn.execute(create)
    conn.execute("PRAGMA application_id = 0x53434331")
    conn.execute(f"PRAGMA user_version = {version}")
    conn.execute(insert, (to_hex(key.canon, 3), aiger_bytes(impl, binary=False).decode()))
    conn.commit()
    conn.close()
    with SynthesisCache(path) as cache:
        entry = cache.lookup(3, key.canon)
        assert entry.source == "abc" and entry.engine == "abc" and entry.ands == 4 and entry.budget_ms == 250.0
        assert entry.care is None  # an entry of the completely specified function
        abc = NamedFixed("abc", _majority(True))
        assert CachedEngine(abc, cache).synthesize(0xE8, 3, budget=Budget(time_ms=200)).ands == 4 and abc.calls == 0
        cache.store(3, key.canon, impl, engine="exact", time_s=0.1, optimal=True, budget_ms=100)
        assert len(cache) == 2
    conn = sqlite3.connect(path)
    assert conn.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
    conn.close()


def test_a_cache_of_a_newer_schema_is_refused(tmp_path):
    path = tmp_path / "c.sqlite"
    with SynthesisCache(path):
        pass
    _run_sql(path, "PRAGMA user_version = 99")
    with pytest.raises(ScError, match="schema version 99"):
        SynthesisCache(path)


def _redundant() -> Aig:
    """(a & b) | (a & c) | (a & d): five ANDs where a & (b | c | d) needs three."""
    aig = Aig()
    a, b, c, d = (aig.create_pi(name) for name in "abcd")
    aig.create_po(aig.create_or(aig.create_or(aig.create_and(a, b), aig.create_and(a, c)), aig.create_and(a, d)))
    return aig


def test_the_pipeline_answers_from_the_chosen_engines_entries_and_says_how_many(tmp_path, require_abc):
    from sc_plugin.rewrite.options import apply_options
    from sc_plugin.rewrite.pipeline import optimize_verified
    cache = str(tmp_path / "c.sqlite")
    _, first = optimize_verified(_redundant(), apply_options({"engine": "exact", "cache": cache}))
    assert first.ands_after == 3 and first.cache_hits == 0 and first.rewrite.functions_requested > 0
    _, again = optimize_verified(_redundant(), apply_options({"engine": "exact", "cache": cache}))
    assert again.cache_hits == again.rewrite.functions_requested > 0
    assert f"({again.cache_hits} from the cache)" in again.report()
    _, abc = optimize_verified(_redundant(), apply_options({"engine": "abc", "cache": cache}))
    assert abc.cache_hits == 0  # the exact engine's entries are not the abc engine's results
    _, reused = optimize_verified(_redundant(), apply_options({"engine": "mcts", "cache": cache,
                                                               "cache_reuse": True}))
    assert reused.cache_hits == reused.rewrite.functions_requested  # every function answered: mcts never ran


def test_a_care_set_answer_never_serves_the_complete_function(tmp_path):
    """XOR2 with minterm 3 free is OR2 (1 AND): that answer must never serve the complete XOR2."""
    with SynthesisCache(tmp_path / "c.sqlite") as cache:
        inner = CountingEngine(ExactEngine(SAT_ONLY))
        engine = CachedEngine(inner, cache)
        partial = engine.synthesize(0x6, 2, budget=Budget(), care=0x7)
        assert partial.ands == 1 and partial.care == 0x7 and inner.calls == 1 and len(cache) == 1
        assert CachedEngine(NullEngine(), cache, reuse=True).synthesize(0x6, 2, budget=Budget()) is None
        assert engine.synthesize(0x6, 2, budget=Budget()).ands == 3 and inner.calls == 2 and len(cache) == 2
        # a full care mask is the complete function: answered from its entry
        assert engine.synthesize(0x6, 2, budget=Budget(), care=0xF).ands == 3 and inner.calls == 2


def test_a_repeated_care_set_request_is_answered_without_the_engine(tmp_path):
    with SynthesisCache(tmp_path / "c.sqlite") as cache:
        inner = CountingEngine(ExactEngine(SAT_ONLY))
        engine = CachedEngine(inner, cache)
        first = engine.synthesize(0x2B, 3, budget=Budget(), care=0x7E)
        again = engine.synthesize(0x2B, 3, budget=Budget(), care=0x7E)
        assert inner.calls == 1 and engine.stats.hits == 1 and engine.stats.stores == 1
        assert (again.ands, again.care, again.optimal, again.verified) == (first.ands, 0x7E, True, True)
        # the same pair with an unused fourth input, and with its inputs negated (table and care alike): one key
        widened = engine.synthesize(0x2B2B, 4, budget=Budget(), care=0x7E7E)
        negated = NpnTransform(3, (0, 1, 2), 0b101, False)
        moved = engine.synthesize(negated.apply(0x2B), 3, budget=Budget(), care=negated.apply(0x7E))
        assert inner.calls == 1 and engine.stats.hits == 3 and widened.ands == moved.ands == first.ands
        assert (output_truth_tables(moved.implementation)[0] ^ negated.apply(0x2B)) & negated.apply(0x7E) == 0


def test_a_care_set_entry_answers_a_request_with_fewer_care_minterms(tmp_path):
    """XOR3 needs 6 ANDs; with minterms 6 and 7 free it is still not OR-like everywhere, and an entry for that care
    set answers every care set inside it, but no larger one."""
    with SynthesisCache(tmp_path / "c.sqlite") as cache:
        inner = CountingEngine(ExactEngine(SAT_ONLY))
        engine = CachedEngine(inner, cache)
        wide = engine.synthesize(0x96, 3, budget=Budget(), care=0x3F)
        narrow = engine.synthesize(0x96, 3, budget=Budget(), care=0x1F)
        assert inner.calls == 1 and engine.stats.hits == 1
        assert narrow.care == 0x1F and narrow.ands == wide.ands and wide.optimal
        assert not narrow.optimal  # proven for its own care set only: the smaller one may allow less
        engine.synthesize(0x96, 3, budget=Budget(), care=0x7F)
        assert inner.calls == 2 and engine.stats.misses == 2


def test_the_complete_entry_answers_a_care_set_but_the_engine_still_runs_on_it(tmp_path):
    with SynthesisCache(tmp_path / "c.sqlite") as cache:
        CachedEngine(ExactEngine(SAT_ONLY), cache).synthesize(0x6, 2, budget=Budget())  # XOR2: 3 ANDs
        null = CachedEngine(NamedFixed("exact", None), cache)
        fallback = null.synthesize(0x6, 2, budget=Budget(), care=0x7)
        assert fallback.ands == 3 and fallback.care == 0x7 and not fallback.optimal
        assert null.stats.retries == 1 and null.engine.calls == 1  # not a run on the don't cares: asked anyway
        inner = CountingEngine(ExactEngine(SAT_ONLY))
        engine = CachedEngine(inner, cache)
        assert engine.synthesize(0x6, 2, budget=Budget(), care=0x7).ands == 1 and inner.calls == 1
        assert engine.synthesize(0x6, 2, budget=Budget(), care=0x7).ands == 1 and inner.calls == 1


def test_a_corrupt_care_set_entry_is_refused_and_deleted(tmp_path, caplog):
    path = tmp_path / "c.sqlite"
    with SynthesisCache(path) as cache:
        CachedEngine(ExactEngine(SAT_ONLY), cache).synthesize(0x6, 2, budget=Budget(), care=0x7)
    # the stored OR2 becomes an AND2: wrong on minterms 1 and 2, which are cared for
    _run_sql(path, "UPDATE classes SET aag = ? WHERE care_hex != ''", ("aag 3 2 0 1 1\n2\n4\n6\n6 2 4\n",))
    with caplog.at_level(logging.WARNING):
        with SynthesisCache(path) as cache:
            inner = CountingEngine(ExactEngine(SAT_ONLY))
            engine = CachedEngine(inner, cache)
            result = engine.synthesize(0x6, 2, budget=Budget(), care=0x7)
            assert result.ands == 1 and (output_truth_tables(result.implementation)[0] ^ 0x6) & 0x7 == 0
            assert engine.stats.rejected == 1 and inner.calls == 1 and len(cache) == 1
    assert "(care 7) does not implement its function; deleted" in caplog.text


def test_care_set_entries_follow_the_engine_and_budget_rules(tmp_path):
    or2 = Aig()
    a, b = or2.create_pi(), or2.create_pi()
    or2.create_po(or2.create_or(a, b))
    with SynthesisCache(tmp_path / "c.sqlite") as cache:
        CachedEngine(NamedFixed("abc", or2), cache).synthesize(0x6, 2, budget=Budget(time_ms=100), care=0x7)
        mcts = NamedFixed("mcts", or2)
        own = CachedEngine(mcts, cache)
        own.synthesize(0x6, 2, budget=Budget(time_ms=100), care=0x7)
        assert mcts.calls == 1 and own.stats.misses == 1  # abc's entry is not mcts's result
        reusing = CachedEngine(mcts, cache, reuse=True)
        assert reusing.synthesize(0x6, 2, budget=Budget(time_ms=100), care=0x7).ands == 1 and mcts.calls == 1
        own.synthesize(0x6, 2, budget=Budget(time_ms=1000), care=0x7)  # a larger budget re-runs a non-optimal one
        assert mcts.calls == 2 and own.stats.retries == 1
        own.synthesize(0x6, 2, budget=Budget(time_ms=1000), care=0x7)
        assert mcts.calls == 2 and own.stats.hits == 1
        key = npn_key(0x6, 2, 0x7)
        stored = cache.entries(key.num_inputs, key.canon, care=key.care)
        assert sorted((entry.source, entry.care) for entry in stored) == [("abc", key.care), ("mcts", key.care)]
