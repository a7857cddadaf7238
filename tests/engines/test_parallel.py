"""Worker pools: local processes, and Ray actors on one Ray instance shared by this module's Ray tests."""

import dataclasses
import json
import logging
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pytest

from sc_plugin.aig import Aig, output_truth_tables, read_aiger, write_aiger
from sc_plugin.cli import opt
from sc_plugin.engines.base import Budget, Candidate
from sc_plugin.engines.parallel import PoolParams, ProcessPoolEngine, RayPoolEngine, make_pool, split_batch
from sc_plugin.engines.registry import EngineParams, make_engine
from sc_plugin.errors import ScError
from sc_plugin.rewrite.options import apply_options

FUNCTIONS = [(0x8, 2), (0x6, 2), (0xE8, 3), (0x96, 3), (0x6996, 4)]
ANDS = [1, 3, 4, 6, 9]
EXAMPLE = Path(__file__).resolve().parents[2] / "sc_plugin" / "data" / "examples" / "int2float.aig"


def test_batches_are_split_over_workers_and_come_back_in_order():
    engine = ProcessPoolEngine(EngineParams(name="exact"), workers=2)
    try:
        results = engine.synthesize_batch(FUNCTIONS, budget=Budget(time_ms=5000))
    finally:
        engine.close()
    assert [c.ands for c in results] == ANDS
    for (table, _), candidate in zip(FUNCTIONS, results):
        assert candidate.verified and output_truth_tables(candidate.implementation) == [table]


def test_workers_get_the_care_masks_of_their_chunk():
    engine = ProcessPoolEngine(EngineParams(name="exact"), workers=2)
    try:
        results = engine.synthesize_batch([(0x6, 2), (0x6, 2), (0xE8, 3)], budget=Budget(time_ms=5000),
                                          cares=[None, 0x7, 0x7F])
    finally:
        engine.close()
    assert [(c.ands, c.care) for c in results] == [(3, None), (1, 0x7), (4, 0x7F)]


def test_batches_are_cut_into_contiguous_chunks_the_same_way_for_every_backend():
    assert split_batch(FUNCTIONS, 2) == [FUNCTIONS[:3], FUNCTIONS[3:]]
    assert split_batch(FUNCTIONS, 4) == [FUNCTIONS[0:2], FUNCTIONS[2:4], FUNCTIONS[4:]]  # 3 chunks, not 4
    assert split_batch(FUNCTIONS, 9) == [[f] for f in FUNCTIONS]
    assert split_batch([], 3) == []


def test_options_choose_the_backend_and_refuse_an_address_without_ray():
    params = apply_options({"backend": "ray", "workers": "2", "address": "auto"})
    assert params.pool == PoolParams(workers=2, backend="ray", address="auto")
    assert make_pool(EngineParams(), apply_options({}).pool) is None  # one local worker: the engine runs here
    with pytest.raises(ScError, match="address needs backend ray"):
        apply_options({"address": "auto"})
    with pytest.raises(ScError, match="choose one of local, ray"):
        apply_options({"backend": "spark"})


def test_missing_ray_is_a_one_line_error_naming_the_extra(monkeypatch, tmp_path, capsys):
    monkeypatch.setitem(sys.modules, "ray", None)  # import ray raises ImportError
    with pytest.raises(ScError, match=r"pip install 'sc_plugin\[ray\]'"):
        RayPoolEngine(EngineParams(name="exact"), 2)
    write_aiger(_small_network(), tmp_path / "in.aig")
    assert opt.main([str(tmp_path / "in.aig"), "-o", str(tmp_path / "out.aig"), "--backend", "ray", "--no-cache",
                     "-q"]) == 1
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "sc_plugin[ray]" in err


# ---- Ray ---------------------------------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def ray_session():
    """A private Ray instance with 2 CPUs for the whole module (starting one takes seconds), connected in this
    process; yields its address, which sc-opt subprocesses join. Pools in this process keep the connection open."""
    ray = pytest.importorskip("ray")
    ray.init(address="local", num_cpus=2, include_dashboard=False, log_to_driver=False, logging_level=logging.WARNING)
    try:
        yield ray.get_runtime_context().gcs_address
    finally:
        ray.shutdown()


def _free_cpus_come_back(ray, cpus: float = 2.0, timeout_s: float = 30.0) -> bool:
    """True once the cluster has `cpus` CPUs free again, i.e. every actor of ours is gone."""
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if ray.available_resources().get("CPU", 0.0) >= cpus:
            return True
        time.sleep(0.2)
    return False


def _same(candidate: Candidate | None) -> Candidate | None:
    """The candidate without its timing, which is all that may differ between runs."""
    return None if candidate is None else dataclasses.replace(candidate, time_s=0.0)


def test_ray_pool_gives_the_in_process_engine_results_in_order(ray_session):
    import ray

    functions = [*FUNCTIONS, (0x80000000, 5), (0x0, 3), (0xFE, 3)]  # a 5-input SAT case, a constant, an OR
    budget = Budget(time_ms=5000)
    pool = RayPoolEngine(EngineParams(name="exact"), 2)
    try:
        remote = pool.synthesize_batch(functions, budget=budget)
        with pytest.raises(ValueError, match="at most"):  # a worker's fault comes back as its own exception
            pool.synthesize_batch([(0x8, 2), (0x1, 99)], budget=budget)
        assert pool.synthesize(0xE8, 3, budget=budget).ands == 4  # and the workers carry on
    finally:
        pool.close()
    local = make_engine(EngineParams(name="exact")).synthesize_batch(functions, budget=budget)
    assert [_same(c) for c in remote] == [_same(c) for c in local]
    assert [c.ands for c in remote] == [*ANDS, 4, 0, 2]
    with pytest.raises(ScError, match="closed"):
        pool.synthesize(0x8, 2, budget=budget)
    assert ray.is_initialized()  # the connection was not the pool's to close
    assert _free_cpus_come_back(ray)  # but its actors are gone


def test_ray_pool_refuses_an_engine_its_workers_cannot_build(ray_session):
    import ray

    with pytest.raises(ScError, match="unknown engine 'bogus'"):
        RayPoolEngine(EngineParams(name="bogus"), 2)
    assert _free_cpus_come_back(ray)


def _small_network() -> Aig:
    """Four outputs with redundant logic over 4 inputs: ORs of ANDs with a common literal, a majority built from
    three ORs, and an XOR of XNORs."""
    aig = Aig()
    a, b, c, d = (aig.create_pi(name) for name in "abcd")
    ab, ac, ad = aig.create_and(a, b), aig.create_and(a, c), aig.create_and(a, d)
    aig.create_po(aig.create_or(aig.create_or(ab, ac), ad), "y0")
    majority = aig.create_and(aig.create_and(aig.create_or(a, b), aig.create_or(b, c)), aig.create_or(a, c))
    aig.create_po(majority, "y1")
    aig.create_po(aig.create_xor(aig.create_xor(a, b) ^ 1, aig.create_xor(c, d) ^ 1), "y2")
    aig.create_po(aig.create_or(aig.create_and(b, c), aig.create_and(b, d ^ 1)), "y3")
    return aig


def _sc_opt(*args: str, **popen) -> subprocess.Popen:
    code = "import sys; from sc_plugin.cli.opt import main; sys.exit(main())"
    return subprocess.Popen([sys.executable, "-c", code, *args], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            text=True, **popen)


def test_sc_opt_on_ray_gives_the_local_result(ray_session, tmp_path, capsys):
    import ray

    original = _small_network()
    write_aiger(original, tmp_path / "in.aig")
    common = ["--engine", "exact", "--k", "4", "--no-cache", "--json", "-q"]
    assert opt.main([str(tmp_path / "in.aig"), "-o", str(tmp_path / "local.aig"), *common]) == 0
    local = json.loads(capsys.readouterr().out)
    run = _sc_opt(str(tmp_path / "in.aig"), "-o", str(tmp_path / "ray.aig"), *common, "--backend", "ray",
                  "--workers", "2", "--address", ray_session)
    out, err = run.communicate(timeout=300)
    assert run.returncode == 0, err
    remote = json.loads(out)
    assert local["ands_after"] < original.num_ands and local["verified"]
    assert (remote["ands_after"], remote["functions"]) == (local["ands_after"], local["functions"])
    assert read_aiger(tmp_path / "ray.aig") == read_aiger(tmp_path / "local.aig")
    assert _free_cpus_come_back(ray)  # the subprocess's actors died with it; the cluster it joined lives on


def _session_members(session: int) -> list[tuple[int, str]]:
    """(pid, command line) of every process in a session (Ray's workers have process groups of their own)."""
    members = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            if os.getsid(int(entry.name)) == session:
                members.append((int(entry.name), (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode()))
        except OSError:
            continue  # gone meanwhile
    return members


def _default_sigint() -> None:
    # A child that inherits an ignored SIGINT (a shell's background job) gets no KeyboardInterrupt from Python.
    signal.signal(signal.SIGINT, signal.SIG_DFL)


def test_an_address_where_no_cluster_listens_is_a_quick_one_line_error(tmp_path):
    pytest.importorskip("ray")
    write_aiger(_small_network(), tmp_path / "in.aig")
    with socket.socket() as probe:  # a port nothing listens on once the probe is closed
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    run = _sc_opt(str(tmp_path / "in.aig"), "-o", str(tmp_path / "out.aig"), "--no-cache", "-q", "--backend",
                  "ray", "--address", f"127.0.0.1:{port}")
    _, err = run.communicate(timeout=60)  # Ray on its own would retry for many minutes
    assert run.returncode == 1 and err.count("\n") == 1, err
    assert f"cannot reach the Ray cluster at 127.0.0.1:{port}: Connection refused" in err


@pytest.mark.skipif(not Path("/proc").is_dir(), reason="lists processes through /proc")
def test_ctrl_c_stops_the_ray_instance_sc_opt_started(tmp_path):
    """sc-opt without --address starts its own Ray instance; Ctrl-C (SIGINT to sc-opt alone) while its actors work
    must leave no Ray process behind, and no temporary folder of ours (the killed actors cannot remove theirs)."""
    pytest.importorskip("ray")
    temp = tempfile.mkdtemp(prefix="sct_")  # short: Ray puts its sockets below TMPDIR too
    run = _sc_opt(str(EXAMPLE), "-o", str(tmp_path / "out.aig"), "--engine", "exact", "--k", "6",
                  "--budget-ms", "60000", "--no-cache", "-q", "--backend", "ray", "--workers", "2",
                  start_new_session=True, preexec_fn=_default_sigint,  # its own session, which Ray's join
                  env={**os.environ, "TMPDIR": temp})
    try:
        deadline = time.monotonic() + 180
        while not any("_EngineActor.synthesize_batch" in command for _, command in _session_members(run.pid)):
            assert run.poll() is None, run.communicate()[1]
            assert time.monotonic() < deadline, "the actors never started working"
            time.sleep(0.2)
        run.send_signal(signal.SIGINT)
        _, err = run.communicate(timeout=60)
        assert run.returncode == 130 and "sc-opt: interrupted" in err, err
        deadline = time.monotonic() + 30
        while _session_members(run.pid) and time.monotonic() < deadline:
            time.sleep(0.2)
        assert _session_members(run.pid) == []
        assert [name for name in os.listdir(temp) if name.startswith("sc_")] == []
    finally:
        for pid, _ in _session_members(run.pid):  # never leave a stray process when the test fails
            os.kill(pid, signal.SIGKILL)
        if run.poll() is None:
            run.kill()
            run.wait()
        shutil.rmtree(temp, ignore_errors=True)
