from __future__ import annotations

import logging
import sqlite3
import subprocess
import sys

import pytest

from sc_plugin.aig.network import Aig
from sc_plugin.engines.base import Budget, Candidate, NullEngine, make_candidate
from sc_plugin.aig.functions import npn_key
from sc_plugin.engines.cache import CachedEngine, SynthesisCache, default_cache_path
from sc_plugin.engines.exact_sat import ExactEngine, ExactParams
from sc_plugin.errors import ScError

SAT_ONLY = ExactParams(use_library=False)


class CountingEngine:
    """Wraps an engine and counts calls."""

    def __init__(self, engine) -> None:
        self.engine = engine
        self.name = engine.name
        self.calls = 0

    def synthesize(self, table, num_inputs, *, budget):
        self.calls += 1
        return self.engine.synthesize(table, num_inputs, budget=budget)

    def synthesize_batch(self, functions, *, budget):
        return [self.synthesize(t, n, budget=budget) for t, n in functions]


def test_round_trip_across_two_connections(tmp_path):
    path = tmp_path / "c.sqlite"
    inner = CountingEngine(ExactEngine(SAT_ONLY))
    with SynthesisCache(path) as cache:
        first = CachedEngine(inner, cache).synthesize(0xE8, 3, budget=Budget())
    assert first.ands == 4 and inner.calls == 1
    with SynthesisCache(path) as cache:
        engine = CachedEngine(NullEngine(), cache)
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
        hit = CachedEngine(NullEngine(), cache).synthesize(0xCA, 3, budget=Budget())
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
    conn = sqlite3.connect(path)
    conn.execute("UPDATE classes SET aag = ?, ands = 1", (wrong,))
    conn.commit()
    conn.close()
    with caplog.at_level(logging.WARNING):
        with SynthesisCache(path) as cache:
            engine = CachedEngine(NullEngine(), cache)
            assert engine.synthesize(0xE8, 3, budget=Budget()) is None
            assert engine.stats.rejected == 1 and len(cache) == 0
    assert "does not implement" in caplog.text


def test_unparsable_entry_is_dropped(tmp_path):
    path = tmp_path / "c.sqlite"
    with SynthesisCache(path) as cache:
        CachedEngine(ExactEngine(SAT_ONLY), cache).synthesize(0xE8, 3, budget=Budget())
    conn = sqlite3.connect(path)
    conn.execute("UPDATE classes SET aag = 'garbage'")
    conn.commit()
    conn.close()
    with SynthesisCache(path) as cache:
        assert CachedEngine(NullEngine(), cache).synthesize(0xE8, 3, budget=Budget()) is None


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
        cache.store(k, canon, best, engine="exact", time_s=0.1, optimal=True, budget_ms=1000)
        canon_big = transform.inverse().undo_aig(big)
        cache.store(k, canon, canon_big, engine="abc", time_s=0.1, optimal=False, budget_ms=1000)
        entry = cache.lookup(k, canon)
        assert entry.ands == 4 and entry.engine == "exact"


def test_default_path_honours_env(monkeypatch, tmp_path):
    monkeypatch.setenv("SC_CACHE", str(tmp_path / "x.sqlite"))
    assert default_cache_path() == tmp_path / "x.sqlite"
    monkeypatch.delenv("SC_CACHE")
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    assert default_cache_path() == tmp_path / "sc_plugin" / "cache.sqlite"


def test_non_optimal_entry_is_retried_with_a_larger_budget(tmp_path):
    class Fixed:
        name = "fixed"

        def __init__(self, impl: Aig) -> None:
            self.impl = impl
            self.calls = 0

        def synthesize(self, table, n, *, budget) -> Candidate | None:
            import time
            self.calls += 1
            return make_candidate(table, n, self.impl, engine=self.name, start_time=time.perf_counter())

        def synthesize_batch(self, functions, *, budget):
            return [self.synthesize(t, n, budget=budget) for t, n in functions]

    aig = Aig()
    a, b = aig.create_pi(), aig.create_pi()
    aig.create_po(aig.create_and(a, b))
    fixed = Fixed(aig)
    with SynthesisCache(tmp_path / "c.sqlite") as cache:
        engine = CachedEngine(fixed, cache)
        engine.synthesize(0x8, 2, budget=Budget(time_ms=100))
        engine.synthesize(0x8, 2, budget=Budget(time_ms=100))
        assert fixed.calls == 1
        engine.synthesize(0x8, 2, budget=Budget(time_ms=1000))
        assert fixed.calls == 2 and engine.stats.retries == 1


def test_rotten_entry_is_reported_as_cache_rot_not_as_an_engine_error(tmp_path, caplog):
    path = tmp_path / "c.sqlite"
    with SynthesisCache(path) as cache:
        CachedEngine(ExactEngine(SAT_ONLY), cache).synthesize(0xE8, 3, budget=Budget())
    conn = sqlite3.connect(path)
    conn.execute("UPDATE classes SET aag = ?, engine = 'abc'", ("aag 4 3 0 1 1\n2\n4\n6\n8\n8 2 4\n",))
    conn.commit()
    conn.close()
    with caplog.at_level(logging.WARNING):
        with SynthesisCache(path) as cache:
            assert CachedEngine(NullEngine(), cache).synthesize(0xE8, 3, budget=Budget()) is None
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
    conn = sqlite3.connect(path)
    conn.execute("""CREATE TABLE classes (num_inputs INTEGER NOT NULL, canon_hex TEXT NOT NULL, ands INTEGER NOT NULL,
        optimal INTEGER NOT NULL, engine TEXT NOT NULL, time_s REAL NOT NULL, budget_ms REAL NOT NULL,
        aag TEXT NOT NULL, updated REAL NOT NULL, PRIMARY KEY (num_inputs, canon_hex))""")
    conn.commit()
    conn.close()
    empty = tmp_path / "empty.sqlite"
    sqlite3.connect(empty).close()
    for cache_path in (path, empty):
        with SynthesisCache(cache_path) as cache:
            assert len(cache) == 0
        conn = sqlite3.connect(cache_path)
        assert conn.execute("PRAGMA application_id").fetchone()[0] == 0x53434331
        conn.close()
