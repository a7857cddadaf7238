"""A persistent cache of the best verified implementation per NPN class, and the engine wrapper that uses it.

Storage: one SQLite file (default `$SC_CACHE`, else `$XDG_CACHE_HOME/sc_plugin/cache.sqlite`, else
`~/.cache/sc_plugin/cache.sqlite`), in WAL mode with a busy timeout so several processes can share it. The key is
the NPN class of the function restricted to its support: (number of support variables, canonical table), and for
an incompletely specified function its care mask moved alike (`npn_key`; '' for a completely specified one). The
value is, per key and engine asked (`source`: the engine the user chose, e.g. `portfolio`), that engine's best
implementation of the *canonical* function as ASCII AIGER, its AND count, the engine that built it (`engine`: a
portfolio's member, or the ABC upper bound the exact engine kept), the time, whether it is proven optimal and the
largest budget the source was run with. A write keeps the smaller implementation (upsert). So the cache answers an
engine with that engine's own results: a lookup names the sources it accepts (a portfolio also accepts its members'
entries), or none to accept every engine's entries (the user's `cache_reuse`).

Schema versions (`PRAGMA user_version`): 0 is the first layout, one row per class without `source`; 2 has no
`care_hex`. Opening either migrates it in place to version 3, each old row becoming the entry of the engine that
built it (version 0) and of the completely specified function.

An implementation is correct for every care set inside the one it was verified on: a request with care set C is
answered by the entries of its class whose care set contains C, and by the class's completely specified entry
(found when the care set needs no input the table ignores). Only an entry of C itself keeps its `optimal` flag
(the others may have missed what C's don't cares allow), and only entries with a care set count as runs of the
engine on C (the completely specified function gave it no don't cares to use).

Nothing read from the cache is trusted: the entry is mapped back to the caller's function and re-verified; an
entry that fails is reported as cache rot, deleted and treated as a miss. A file that is not a readable database
is moved aside (`<file>.corrupt-<time>`) with a warning and a new one is created. Our databases carry
`PRAGMA application_id = APPLICATION_ID`; an SQLite database of another program (another application id, or
tables of its own) is refused with an ScError and left untouched.
"""

from __future__ import annotations

import logging
import os
import sqlite3
import time
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Sequence

from sc_plugin.aig.aiger import aiger_bytes, read_aiger_bytes
from sc_plugin.aig.functions import NpnKey, expand_support, npn_key, restrict_to_support
from sc_plugin.aig.network import Aig
from sc_plugin.aig.simulate import output_truth_tables
from sc_plugin.aig.truth import table_mask, to_hex
from sc_plugin.engines.base import Budget, Candidate, Engine, ask_engine, cares_of, make_candidate
from sc_plugin.errors import AigerFormatError, ScError

__all__ = ["CacheEntry", "CacheStats", "SynthesisCache", "CachedEngine", "default_cache_path", "APPLICATION_ID",
           "SCHEMA_VERSION"]

log = logging.getLogger(__name__)

APPLICATION_ID = 0x53434331  # "SCC1" in the database header: this file is a ShortCircuit cache
SCHEMA_VERSION = 3  # PRAGMA user_version of the current layout; 0 is the first one (no source column)
_COLUMNS_V0 = ["num_inputs", "canon_hex", "ands", "optimal", "engine", "time_s", "budget_ms", "aag", "updated"]
_COLUMNS_V2 = ["num_inputs", "canon_hex", "source", "ands", "optimal", "engine", "time_s", "budget_ms", "aag",
               "updated"]
_COLUMNS = ["num_inputs", "canon_hex", "care_hex", "source", "ands", "optimal", "engine", "time_s", "budget_ms",
            "aag", "updated"]

_SCHEMA = """
CREATE TABLE IF NOT EXISTS classes (
    num_inputs INTEGER NOT NULL,
    canon_hex TEXT NOT NULL,
    care_hex TEXT NOT NULL,
    source TEXT NOT NULL,
    ands INTEGER NOT NULL,
    optimal INTEGER NOT NULL,
    engine TEXT NOT NULL,
    time_s REAL NOT NULL,
    budget_ms REAL NOT NULL,
    aag TEXT NOT NULL,
    updated REAL NOT NULL,
    PRIMARY KEY (num_inputs, canon_hex, care_hex, source)
)
"""


def _migration(source_column: str) -> tuple[str, ...]:
    """Statements that rebuild an old table as the current one: every row becomes an entry of the completely
    specified function ('' care), made by `source_column`'s value."""
    return ("ALTER TABLE classes RENAME TO classes_old",
            _SCHEMA,
            "INSERT INTO classes (num_inputs, canon_hex, care_hex, source, ands, optimal, engine, time_s, budget_ms, "
            f"aag, updated) SELECT num_inputs, canon_hex, '', {source_column}, ands, optimal, engine, time_s, "
            "budget_ms, aag, updated FROM classes_old",
            "DROP TABLE classes_old")


# version 0 had no source: an old row was the result of whichever engine built it, so that engine becomes its source
_MIGRATIONS = {tuple(_COLUMNS_V0): _migration("engine"), tuple(_COLUMNS_V2): _migration("source")}
# Keep the stored row unless the new one is smaller, or as small and newly proven optimal. A larger budget that
# found nothing better is still recorded (`_BUMP_BUDGET` after it) so that it is not retried with the same budget.
_UPSERT = """
INSERT INTO classes (num_inputs, canon_hex, care_hex, source, ands, optimal, engine, time_s, budget_ms, aag,
                     updated)
VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
ON CONFLICT (num_inputs, canon_hex, care_hex, source) DO UPDATE SET
    ands = excluded.ands, optimal = excluded.optimal, engine = excluded.engine, time_s = excluded.time_s,
    budget_ms = max(budget_ms, excluded.budget_ms), aag = excluded.aag, updated = excluded.updated
WHERE excluded.ands < classes.ands OR (excluded.ands = classes.ands AND excluded.optimal > classes.optimal)
"""
_BUMP_BUDGET = ("UPDATE classes SET budget_ms = max(budget_ms, ?) "
                "WHERE num_inputs = ? AND canon_hex = ? AND care_hex = ? AND source = ?")
_BUSY_TIMEOUT_MS = 30000


def default_cache_path() -> Path:
    """`$SC_CACHE`, else `$XDG_CACHE_HOME/sc_plugin/cache.sqlite`, else `~/.cache/sc_plugin/cache.sqlite`."""
    override = os.environ.get("SC_CACHE")
    if override:
        return Path(override).expanduser()
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "sc_plugin" / "cache.sqlite"


@dataclass(frozen=True)
class CacheEntry:
    num_inputs: int
    canon: int
    implementation: Aig  # implements the canonical table over num_inputs inputs; not yet verified
    ands: int
    optimal: bool
    engine: str
    time_s: float
    budget_ms: float  # the largest budget `source` was run with on this class (and care set)
    source: str = ""  # the engine asked (whose result this is); `engine` built the implementation
    care: int | None = None  # the care mask (over num_inputs) it was verified on; None: completely specified


@dataclass
class CacheStats:
    hits: int = 0  # functions answered from the cache without running the engine
    misses: int = 0  # functions without a usable entry
    retries: int = 0  # non-optimal entries re-run: a larger budget, or an entry of another engine than the one asked
    stores: int = 0
    rejected: int = 0  # stored entries that failed verification and were deleted

    def report(self) -> str:
        return (f"cache: {self.hits} hits, {self.misses} misses, {self.retries} retries, {self.stores} stores, "
                f"{self.rejected} rejected")


def _care_hex(care: int | None, num_inputs: int) -> str:
    """The stored form of a care mask: hex as tables are written, '' for a completely specified function."""
    return "" if care is None else to_hex(care, num_inputs)


class SynthesisCache:
    """The SQLite store. Safe for several processes; every method is one short transaction."""

    def __init__(self, path: str | os.PathLike | None = None) -> None:
        self.path = Path(path) if path is not None else default_cache_path()
        self._conn: sqlite3.Connection | None = None
        self._open()

    def _open(self) -> None:
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise ScError(f"cache {self.path}: cannot create its folder ({exc.strerror})") from None
        try:
            self._conn = self._connect()
        except sqlite3.DatabaseError as exc:
            self._move_aside(str(exc))
            try:
                self._conn = self._connect()
            except sqlite3.DatabaseError as exc2:
                raise ScError(f"cache {self.path}: cannot create a new cache ({exc2})") from None

    def _connect(self) -> sqlite3.Connection:
        conn = sqlite3.connect(str(self.path), timeout=_BUSY_TIMEOUT_MS / 1000.0, isolation_level=None)
        try:
            conn.execute(f"PRAGMA busy_timeout = {_BUSY_TIMEOUT_MS}")
            self._claim(conn)  # before anything writes: a database of another program stays as it was
            conn.execute("PRAGMA journal_mode = WAL")
            check = conn.execute("PRAGMA quick_check").fetchone()
            if check is None or check[0] != "ok":
                raise sqlite3.DatabaseError(f"integrity check failed: {check[0] if check else 'no answer'}")
            columns = [row[1] for row in conn.execute("PRAGMA table_info(classes)")]
            if columns != _COLUMNS:
                raise sqlite3.DatabaseError("the table 'classes' has an unexpected layout")
        except (sqlite3.DatabaseError, ScError):
            conn.close()
            raise
        return conn

    def _claim(self, conn: sqlite3.Connection) -> None:
        """Makes sure the database is ours and of the current layout: a new or empty one gets our table, application
        id and schema version; one from before the id (only our table, with the columns of a known layout) gets the
        id; a layout of version 0 or 2 is migrated in place; one of a newer version, or anything else, raises ScError,
        unchanged."""
        conn.execute("BEGIN IMMEDIATE")  # one process at a time decides, so two new caches cannot race
        try:
            application_id = conn.execute("PRAGMA application_id").fetchone()[0]
            tables = {row[0]: row[1] for row in conn.execute(
                "SELECT name, sql FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'")}
            columns = [row[1] for row in conn.execute("PRAGMA table_info(classes)")]
            if application_id != APPLICATION_ID:
                if application_id != 0 or set(tables) - {"classes"} or (
                        tables and columns != _COLUMNS and tuple(columns) not in _MIGRATIONS):
                    what = (f"application id {application_id:#x}" if application_id else
                            f"tables {', '.join(sorted(tables))}")
                    raise ScError(f"cache {self.path} is an SQLite database of another program ({what}); "
                                  f"refusing to use it: give another --cache file")
                conn.execute(f"PRAGMA application_id = {APPLICATION_ID}")
            elif "classes" not in tables:
                raise sqlite3.DatabaseError("the table 'classes' is missing")
            version = conn.execute("PRAGMA user_version").fetchone()[0]
            if version > SCHEMA_VERSION:
                raise ScError(f"cache {self.path} has schema version {version}, newer than this sc_plugin reads "
                              f"({SCHEMA_VERSION}): give another --cache file or update sc_plugin")
            if not tables:
                conn.execute(_SCHEMA)
            elif tuple(columns) in _MIGRATIONS:
                for statement in _MIGRATIONS[tuple(columns)]:
                    conn.execute(statement)
                log.info("cache %s: migrated to schema version %d (entries per engine and care set)", self.path,
                         SCHEMA_VERSION)
            if version != SCHEMA_VERSION:
                conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")
            conn.execute("COMMIT")
        except BaseException:
            try:
                conn.execute("ROLLBACK")
            except sqlite3.Error:
                pass
            raise

    def _move_aside(self, reason: str) -> None:
        aside = self.path.with_name(f"{self.path.name}.corrupt-{time.strftime('%Y%m%d-%H%M%S')}-{os.getpid()}")
        log.warning("cache %s is unreadable (%s); moved it to %s and starting an empty cache", self.path, reason,
                    aside)
        for suffix in ("", "-wal", "-shm"):
            source = Path(str(self.path) + suffix)
            if source.exists():
                try:
                    os.replace(source, Path(str(aside) + suffix))
                except OSError as exc:
                    raise ScError(f"cache {self.path} is corrupt and cannot be moved aside ({exc.strerror})") \
                        from None

    def _execute(self, sql: str, args: tuple = ()) -> list[tuple]:
        """Runs one statement; a database that turned unreadable in use is moved aside once and recreated."""
        assert self._conn is not None
        try:
            return self._conn.execute(sql, args).fetchall()
        except sqlite3.OperationalError as exc:
            if "locked" in str(exc) or "busy" in str(exc):
                raise ScError(f"cache {self.path} stayed locked for {_BUSY_TIMEOUT_MS / 1000:g} s: {exc}") from None
            raise ScError(f"cache {self.path}: {exc}") from None
        except sqlite3.DatabaseError as exc:
            self._conn.close()
            self._move_aside(str(exc))
            self._conn = self._connect()
            return self._conn.execute(sql, args).fetchall()

    def lookup(self, num_inputs: int, canon: int, *, sources: Sequence[str] | None = None,
               care: int | None = None) -> CacheEntry | None:
        """The best stored entry that answers the class (with `care`) made by one of `sources` (None: by any
        engine), or None. See `entries`."""
        found = self.entries(num_inputs, canon, sources=sources, care=care)
        return found[0] if found else None

    def entries(self, num_inputs: int, canon: int, *, sources: Sequence[str] | None = None,
                care: int | None = None) -> list[CacheEntry]:
        """The stored entries of a class made by one of `sources` (None: every engine's) that answer it: with
        `care` None the completely specified function's; with a care mask (over num_inputs) the entries whose care
        set contains it and the completely specified one. Best first: fewest ANDs, then proven optimal, then in the
        order of `sources`. A row whose AIGER text does not parse is deleted."""
        hex_canon = to_hex(canon, num_inputs)
        sql = ("SELECT care_hex, source, ands, optimal, engine, time_s, budget_ms, aag FROM classes "
               "WHERE num_inputs = ? AND canon_hex = ?")
        args: tuple = (num_inputs, hex_canon)
        if care is None:
            sql += " AND care_hex = ''"
        if sources is not None:
            if not sources:
                return []
            sql += f" AND source IN ({', '.join('?' * len(sources))})"
            args += tuple(sources)
        rank = {source: position for position, source in enumerate(sources or ())}
        rows = sorted(self._execute(sql, args), key=lambda row: (row[2], -row[3], rank.get(row[1], 0), row[1], row[0]))
        found = []
        for care_hex, source, ands, optimal, engine, time_s, budget_ms, aag in rows:
            row_care = int(care_hex, 16) if care_hex else None
            if row_care is not None and (care is None or care & ~row_care):
                continue  # a care set that leaves out some of the minterms asked for
            try:
                aig = read_aiger_bytes(str(aag).encode(), f"cache entry {hex_canon}")
            except (AigerFormatError, ValueError) as exc:
                log.warning("cache %s: entry %s of engine %s is unreadable (%s); deleted", self.path, hex_canon,
                            source, exc)
                self.delete(num_inputs, canon, source=source, care=row_care)
                continue
            found.append(CacheEntry(num_inputs, canon, aig, int(ands), bool(optimal), str(engine), float(time_s),
                                    float(budget_ms), str(source), row_care))
        return found

    def store(self, num_inputs: int, canon: int, implementation: Aig, *, engine: str, time_s: float,
              optimal: bool, budget_ms: float, source: str | None = None, care: int | None = None) -> None:
        """Records an implementation of the canonical table on the `care` minterms (None: all; the caller has
        verified it) as a result of `source` (default: `engine`, the engine that built it); keeps the smaller of it
        and the source's stored one for that care set."""
        aag = aiger_bytes(implementation, binary=False).decode()
        self._execute(_UPSERT, (num_inputs, to_hex(canon, num_inputs), _care_hex(care, num_inputs), source or engine,
                                implementation.num_ands, int(optimal), engine, time_s, budget_ms, aag, time.time()))
        self.note_budget(num_inputs, canon, budget_ms, source=source or engine, care=care)

    def note_budget(self, num_inputs: int, canon: int, budget_ms: float, *, source: str,
                    care: int | None = None) -> None:
        """Records that a run of `source` with this budget found nothing better than its stored entry."""
        self._execute(_BUMP_BUDGET, (budget_ms, num_inputs, to_hex(canon, num_inputs), _care_hex(care, num_inputs),
                                     source))

    def delete(self, num_inputs: int, canon: int, *, source: str | None = None, care: int | None = None) -> None:
        """Deletes the class's entry of `source` for the `care` set (None: the completely specified function's), or
        all its entries, for every care set, when `source` is None."""
        sql = "DELETE FROM classes WHERE num_inputs = ? AND canon_hex = ?"
        args: tuple = (num_inputs, to_hex(canon, num_inputs))
        if source is not None:
            sql, args = sql + " AND source = ? AND care_hex = ?", args + (source, _care_hex(care, num_inputs))
        self._execute(sql, args)

    def __len__(self) -> int:
        return int(self._execute("SELECT count(*) FROM classes")[0][0])

    def close(self) -> None:
        if self._conn is not None:
            self._conn.close()
            self._conn = None

    def __enter__(self) -> SynthesisCache:
        return self

    def __exit__(self, *exc) -> None:
        self.close()


def _is_run_on(entry: CacheEntry, key: NpnKey) -> bool:
    """Whether the entry's engine was run on the key's function with its don't cares: an entry kept with a care
    set (the key's, or one containing it) for a care set, the completely specified entry for a complete function."""
    return (entry.care is None) == (key.care is None)


class CachedEngine:
    """Engine protocol: answers from the cache, else asks `engine` and stores its verified result as a result of
    `engine.name` (its source).

    Lookups return the best entry of the engine itself or of one of `members` (engines whose results it may use, a
    portfolio's); with `reuse`, the best entry of any engine. With `retry_non_optimal`, an entry that is not proven
    optimal is re-run when the budget is larger than every budget this engine was run with on the class (with
    `reuse`: or than the entry's own budget) -- so an entry of a member is re-run once, a stronger engine or a
    larger budget can improve it; the better of the two is returned and kept. A function with a care mask is
    looked up and stored with it (module docstring): the completely specified function's entry answers it, but is
    no run of the engine on its don't cares.
    """

    def __init__(self, engine: Engine, cache: SynthesisCache, *, retry_non_optimal: bool = True,
                 members: Sequence[str] = (), reuse: bool = False) -> None:
        self.engine = engine
        self.cache = cache
        self.retry_non_optimal = retry_non_optimal
        self.name = engine.name
        # the sources whose entries answer, this engine's first; None: every engine's
        self.sources: tuple[str, ...] | None = None if reuse else (
            engine.name, *(member for member in members if member != engine.name))
        self.stats = CacheStats()

    def synthesize(self, table: int, num_inputs: int, *, budget: Budget,
                   care: int | None = None) -> Candidate | None:
        return self.synthesize_batch([(table, num_inputs)], budget=budget, cares=[care])[0]

    def synthesize_batch(self, functions: Sequence[tuple[int, int]], *, budget: Budget,
                         cares: Sequence[int | None] | None = None) -> list[Candidate | None]:
        results: list[Candidate | None] = [None] * len(functions)
        cares = cares_of(functions, cares)
        keys: list[NpnKey] = []
        to_run: list[int] = []
        for index, (table, num_inputs) in enumerate(functions):
            start = time.perf_counter()
            table &= table_mask(num_inputs)
            key = npn_key(table, num_inputs, cares[index])
            keys.append(key)
            entries = self.cache.entries(key.num_inputs, key.canon, sources=self.sources, care=key.care)
            cached, answered = None, None
            for entry in entries:  # best first; a rotten one is deleted and the next one tried
                cached = self._from_entry(entry, table, num_inputs, key, cares[index], start)
                if cached is not None:
                    answered = entry
                    break
            if cached is None:
                self.stats.misses += 1
                to_run.append(index)
                continue
            results[index] = cached
            tried_ms = max((entry.budget_ms for entry in entries if entry.source == self.name and
                            _is_run_on(entry, key)), default=0.0)
            if self.sources is None and _is_run_on(answered, key):
                tried_ms = max(tried_ms, answered.budget_ms)
            if not cached.optimal and self.retry_non_optimal and budget.time_ms > tried_ms:
                self.stats.retries += 1
                to_run.append(index)
            else:
                self.stats.hits += 1
        if to_run:
            fresh = ask_engine(self.engine, [functions[i] for i in to_run], budget=budget,
                               cares=[cares[i] for i in to_run])
            for index, candidate in zip(to_run, fresh):
                key = keys[index]
                previous = results[index]
                if candidate is not None:
                    self._store(candidate, key, budget)
                    if previous is None or candidate.ands < previous.ands or (
                            candidate.ands == previous.ands and candidate.optimal):
                        results[index] = candidate
                elif previous is not None:
                    self.cache.note_budget(key.num_inputs, key.canon, budget.time_ms, source=self.name, care=key.care)
        for index, candidate in enumerate(results):
            if candidate is not None and budget.max_ands is not None and candidate.ands > budget.max_ands:
                results[index] = None
        return results

    def _from_entry(self, entry: CacheEntry, table: int, num_inputs: int, key: NpnKey, care: int | None,
                    start: float) -> Candidate | None:
        """The entry as a verified candidate for `table` on `care` (the caller's, over num_inputs), or None after
        deleting it as cache rot."""
        impl = entry.implementation
        if impl.num_pis != entry.num_inputs or impl.num_pos != 1 or impl.num_latches:
            impl = None
        else:
            try:
                impl = expand_support(key.transform.undo_aig(impl), key.variables, num_inputs)
            except ValueError:
                impl = None
        # checked here, before make_candidate, so that a bad entry is reported as what it is (the cache rotted), not
        # as a wrong answer of the engine named in it
        mask = table_mask(num_inputs) if care is None else care
        if impl is not None and (output_truth_tables(impl)[0] ^ table) & mask:
            impl = None
        # optimal on a larger care set (or the complete function) is not optimal here: these don't cares may beat it
        optimal = entry.optimal and entry.care == key.care
        candidate = None if impl is None else make_candidate(table, num_inputs, impl, engine=entry.engine,
                                                             start_time=start, optimal=optimal, care=care)
        if candidate is None:
            log.warning("cache %s: entry of class %s%s does not implement its function; deleted",
                        self.cache.path, to_hex(entry.canon, entry.num_inputs),
                        "" if entry.care is None else f" (care {to_hex(entry.care, entry.num_inputs)})")
            self.stats.rejected += 1
            self.cache.delete(entry.num_inputs, entry.canon, source=entry.source, care=entry.care)
            return None
        if candidate.ands != entry.ands:
            candidate = replace(candidate, optimal=candidate.optimal and candidate.ands <= entry.ands)
        return candidate

    def _store(self, candidate: Candidate, key: NpnKey, budget: Budget) -> None:
        # the support drops only inputs that neither the table nor the care set depends on: tying them to 0 keeps
        # the implementation right on the care set
        small_impl = restrict_to_support(candidate.implementation, key.variables)
        canon_impl = key.transform.inverse().undo_aig(small_impl)
        self.cache.store(key.num_inputs, key.canon, canon_impl, engine=candidate.engine, time_s=candidate.time_s,
                         optimal=candidate.optimal, budget_ms=budget.time_ms, source=self.name, care=key.care)
        self.stats.stores += 1
