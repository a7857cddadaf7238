"""The ABC bridge: find the binary, run a script, recognise failures, parse statistics, optimise an `Aig`.

ABC exits 0 even when a command fails, so `run_abc` reads the output and raises `AbcError` on the first error
line. Every run starts with `-s` (no `abc.rc` from the working directory or its parents) and with
`ABC_ALIASES` defined, so `resyn2`, `compress2rs` and the other standard scripts mean the same thing on every
machine; `&deepsyn` needs them (it calls `compress2rs` internally).
"""

from __future__ import annotations

import importlib.util
import os
import re
import shutil
import signal
import subprocess
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Sequence

from sc_plugin.aig.aiger import read_aiger, write_aiger
from sc_plugin.aig.network import Aig
from sc_plugin.errors import AbcError, AbcNotFoundError, AbcTimeoutError, AigerFormatError

__all__ = [
    "ABC_ALIASES",
    "AbcTimeoutError",
    "AbcRun",
    "AbcStats",
    "find_abc",
    "run_abc",
    "parse_print_stats",
    "parse_all_print_stats",
    "optimize_with_abc",
    "optimize_each_with_abc",
]

# The standard definitions of ABC's own abc.rc (berkeley-abc/abc), which the ABC bundled with pyosys lacks.
# Short command aliases first (the scripts below are written with them), then the optimisation scripts.
ABC_ALIASES = """\
alias b balance
alias cl cleanup
alias clp collapse
alias f fraig
alias fs fraig_sweep
alias fsto fraig_store
alias fres fraig_restore
alias ft fraig_trust
alias lp lutpack
alias pf print_factor
alias pfan print_fanio
alias pio print_io
alias pl print_level
alias ps print_stats
alias psu print_supp
alias q quit
alias r read
alias re restructure
alias rez restructure -z
alias ren renode
alias rf refactor
alias rfz refactor -z
alias rs resub
alias rsz resub -z
alias rw rewrite
alias rwz rewrite -z
alias scl scleanup
alias sif if -s
alias st strash
alias sw sweep
alias ssw ssweep
alias w write
alias wa write_aiger
alias wb write_bench
alias wl write_blif
alias wv write_verilog
alias share "b; ren -s; fx; b"
alias resyn "b; rw; rwz; b; rwz; b"
alias resyn2 "b; rw; rf; b; rw; rwz; b; rfz; rwz; b"
alias resyn2a "b; rw; b; rw; rwz; b; rwz; b"
alias resyn3 "b; rs; rs -K 6; b; rsz; rsz -K 6; b; rsz -K 5; b"
alias compress "b -l; rw -l; rwz -l; b -l; rwz -l; b -l"
alias compress2 "b -l; rw -l; rf -l; b -l; rw -l; rwz -l; b -l; rfz -l; rwz -l; b -l"
alias choice "fraig_store; resyn; fraig_store; resyn2; fraig_store; fraig_restore"
alias choice2 "fraig_store; balance; fraig_store; resyn; fraig_store; resyn2; fraig_store; resyn2; fraig_store; fraig_restore"
alias rwsat "st; rw -l; b -l; rw -l; rf -l"
alias rwsat2 "st; rw -l; b -l; rw -l; rf -l; fraig; rw -l; b -l; rw -l; rf -l"
alias drwsat2 "st; drw; b -l; drw; drf; ifraig -C 20; drw; b -l; drw; drf"
alias src_rw "st; rw -l; rwz -l; rwz -l"
alias src_rs "st; rs -K 6 -N 2 -l; rs -K 9 -N 2 -l; rs -K 12 -N 2 -l"
alias src_rws "st; rw -l; rs -K 6 -N 2 -l; rwz -l; rs -K 9 -N 2 -l; rwz -l; rs -K 12 -N 2 -l"
alias resyn2rs "b; rs -K 6; rw; rs -K 6 -N 2; rf; rs -K 8; b; rs -K 8 -N 2; rw; rs -K 10; rwz; rs -K 10 -N 2; b; rs -K 12; rfz; rs -K 12 -N 2; rwz; b"
alias compress2rs "b -l; rs -K 6 -l; rw -l; rs -K 6 -N 2 -l; rf -l; rs -K 8 -l; b -l; rs -K 8 -N 2 -l; rw -l; rs -K 10 -l; rwz -l; rs -K 10 -N 2 -l; b -l; rs -K 12 -l; rfz -l; rs -K 12 -N 2 -l; rwz -l; b -l"
alias resyn2rsdc "b; rs -K 6 -F 2; rw; rs -K 6 -N 2 -F 2; rf; rs -K 8 -F 2; b; rs -K 8 -N 2 -F 2; rw; rs -K 10 -F 2; rwz; rs -K 10 -N 2 -F 2; b; rs -K 12 -F 2; rfz; rs -K 12 -N 2 -F 2; rwz; b"
alias compress2rsdc "b -l; rs -K 6 -F 2 -l; rw -l; rs -K 6 -N 2 -F 2 -l; rf -l; rs -K 8 -F 2 -l; b -l; rs -K 8 -N 2 -F 2 -l; rw -l; rs -K 10 -F 2 -l; rwz -l; rs -K 10 -N 2 -F 2 -l; b -l; rs -K 12 -F 2 -l; rfz -l; rs -K 12 -N 2 -F 2 -l; rwz -l; b -l"
"""

# Lines that mean a command failed. Anchored and case-sensitive on purpose: ABC prints many benign lines with
# "failed" or "error" in them (statistics such as "Failed = 0", "BMC could not detect a failed output").
_ERROR_LINE = re.compile(
    r"^\*\* cmd error"  # unknown command; the script is aborted
    r"|^(?:Error|ERROR)\b"  # "Error: Empty network."
    r"|^\w+\(\): (?:Error|ERROR|Cannot)\b"  # "Io_WriteAiger(): Cannot open the output file ..."
    r"|^Cannot\b"  # "Cannot open input file ...", "Cannot read ..."
    r"|^Failed to\b"
    r"|Something did not work out"  # &deepsyn and friends
    r"|\bhas (?:failed|FAILED)\b"  # "Reading network from file has failed.", "Balancing has failed."
    r"|\bworks only for\b"  # "This command works only for AIGs (run "strash")."
    r"|[Ii]nternal error"
    r"|^Segmentation fault"
)
_ANSI_ESCAPE = re.compile(r"\x1b\[[0-9;]*[A-Za-z]")
_SCRIPT_BANNER = re.compile(r"^=+ ABC command line \"source .*\n?")
_ABC_NAMES = ("yosys-abc", "berkeley-abc", "abc")
# At most this many trailing output lines travel in an AbcError.
_ERROR_TAIL_LINES = 20


@dataclass(frozen=True)
class AbcRun:
    """One finished ABC process."""

    binary: str
    command: str  # the caller's commands, one per line, without ABC_ALIASES
    output: str  # stdout and stderr interleaved, ANSI colour codes removed
    wall_time_s: float
    cwd: str | None  # the folder ABC ran in; None means this process's working directory

    def stats(self) -> AbcStats:
        """The statistics of the last `print_stats` or `&ps` line of this run."""
        return parse_print_stats(self.output)


@dataclass(frozen=True)
class AbcStats:
    """One `print_stats` (`ps`) or `&ps` line."""

    inputs: int
    outputs: int
    ands: int
    levels: int
    latches: int
    raw: str  # the line as ABC printed it, colour codes removed


def find_abc() -> str:
    """The ABC executable to run.

    In order: the environment variable `SC_ABC` (a path or a name on PATH; if it is set but unusable this fails
    rather than falling back), the `yosys-abc` bundled with pyosys, then `yosys-abc`, `berkeley-abc` or `abc` on
    PATH. Raises `AbcNotFoundError` if none exists.
    """
    override = os.environ.get("SC_ABC")
    if override:
        found = shutil.which(override)
        if found is None:
            raise AbcNotFoundError(f"SC_ABC={override!r} is not an executable file or a program on PATH")
        return os.path.abspath(found)  # a relative path must survive running ABC in another folder
    bundled = _pyosys_abc()
    if bundled is not None:
        return bundled
    for name in _ABC_NAMES:
        found = shutil.which(name)
        if found is not None:
            return found
    raise AbcNotFoundError("no ABC executable found: install pyosys (it bundles yosys-abc), put yosys-abc, "
                           "berkeley-abc or abc on PATH, or set SC_ABC to the binary")


def _pyosys_abc() -> str | None:
    # find_spec locates the package without importing it (importing pyosys loads libyosys).
    spec = importlib.util.find_spec("pyosys")
    if spec is None or not spec.submodule_search_locations:
        return None
    for folder in spec.submodule_search_locations:
        candidate = os.path.join(folder, "yosys-abc")
        if os.path.isfile(candidate) and os.access(candidate, os.X_OK):
            return candidate
    return None


def run_abc(commands: str | Sequence[str], *, timeout_s: float | None = None, cwd: str | os.PathLike | None = None,
            binary: str | None = None, check_errors: bool = True) -> AbcRun:
    """Runs one ABC process on `commands` with `ABC_ALIASES` defined first.

    commands: one string (commands separated by `;` or newlines) or a sequence of commands. Relative file names
        in them are taken from `cwd` (default: this process's working directory).
    timeout_s: wall-clock limit; the process is killed when it is reached. None means no limit.
    binary: the ABC executable; None means `find_abc()`.
    check_errors: False returns the run even when ABC printed an error line, for scripts that, like Yosys's `abc`,
        let a command fail on a network it does not apply to (`retime` on a combinational one) and go on.

    The script goes to ABC as a file (`-f`), so its length is not limited by the command line.
    Raises `AbcNotFoundError` if the binary cannot be found or started, `AbcTimeoutError` (an `AbcError`) if ABC
    runs past `timeout_s`, and `AbcError` if ABC prints an error line, exits non-zero or dies on a signal.
    """
    command = commands if isinstance(commands, str) else "\n".join(commands)
    binary = binary or find_abc()
    with tempfile.TemporaryDirectory(prefix="sc_abc_") as script_dir:
        script_path = os.path.join(script_dir, "script.abc")
        if '"' in script_path:
            raise AbcError(f"temporary script path {script_path!r} holds a double quote", binary=binary,
                           command=command)
        Path(script_path).write_text(ABC_ALIASES + command + "\n")
        # ABC splits the -f argument into words; quoting keeps a temp folder with spaces in one piece.
        argv = [binary, "-s", "-f", f'"{script_path}"']
        start = time.perf_counter()
        try:
            process = subprocess.Popen(argv, cwd=cwd, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                                       stderr=subprocess.STDOUT, start_new_session=True)
        except OSError as exc:
            raise AbcNotFoundError(f"cannot run ABC binary {binary!r}: {exc.strerror or exc}") from None
        timed_out = False
        try:
            raw_output, _ = process.communicate(timeout=timeout_s)
        except subprocess.TimeoutExpired:
            timed_out = True
            _kill_group(process)
            raw_output, _ = process.communicate()
        except BaseException:  # KeyboardInterrupt included: never leave ABC running behind us
            _kill_group(process)
            process.wait()
            raise
        wall_time_s = time.perf_counter() - start
    output = _clean(raw_output, script_path)
    if timed_out:
        raise AbcTimeoutError(f"ABC ran past its time limit of {timeout_s:g} s and was killed", binary=binary,
                       command=command, output=_tail(output))
    if process.returncode < 0:
        raise AbcError(f"ABC died on signal {-process.returncode}", binary=binary, command=command,
                       output=_tail(output))
    if process.returncode != 0:
        raise AbcError(f"ABC exited with status {process.returncode}", binary=binary, command=command,
                       output=_tail(output))
    error_line = _first_error_line(output) if check_errors else None
    if error_line is not None:
        raise AbcError(f"ABC reported an error: {error_line!r}", binary=binary, command=command,
                       output=_tail(output))
    return AbcRun(binary=binary, command=command, output=output, wall_time_s=wall_time_s,
                  cwd=None if cwd is None else str(cwd))


def _kill_group(process: subprocess.Popen) -> None:
    # ABC runs in its own session (start_new_session), so the group holds only it and anything it started.
    try:
        os.killpg(process.pid, signal.SIGKILL)
    except ProcessLookupError:
        pass


def _clean(raw: bytes, script_path: str) -> str:
    text = _ANSI_ESCAPE.sub("", raw.decode("utf-8", errors="replace"))
    # Hide the temporary script's name (ABC's banner, its abort message), so outputs are identical across runs.
    return _SCRIPT_BANNER.sub("", text, count=1).replace(script_path, "<script>")


def _tail(output: str) -> str:
    return "\n".join(output.strip().splitlines()[-_ERROR_TAIL_LINES:])


def _first_error_line(output: str) -> str | None:
    for line in output.splitlines():
        line = line.strip()
        if _ERROR_LINE.search(line):
            return line
    return None


_STATS_IO = re.compile(r"\bi/o\s*=\s*(\d+)\s*/\s*(\d+)")
_STATS_LATCHES = re.compile(r"\b(?:lat|ff)\s*=\s*(\d+)")
_STATS_ANDS = re.compile(r"\band\s*=\s*(\d+)")
_STATS_LEVELS = re.compile(r"\blev\s*=\s*(\d+)")


def parse_all_print_stats(output: str) -> list[AbcStats]:
    """Every AIG statistics line (`print_stats` or `&ps`) in `output`, in order.

    Lines of networks that are not AIGs (mapped or logic networks print no `and =`) are skipped.
    """
    found = []
    for line in _ANSI_ESCAPE.sub("", output).splitlines():
        io_match = _STATS_IO.search(line)
        ands_match = _STATS_ANDS.search(line)
        if io_match is None or ands_match is None:
            continue
        latches_match = _STATS_LATCHES.search(line)
        levels_match = _STATS_LEVELS.search(line)
        found.append(AbcStats(
            inputs=int(io_match.group(1)),
            outputs=int(io_match.group(2)),
            ands=int(ands_match.group(1)),
            levels=int(levels_match.group(1)) if levels_match else 0,
            latches=int(latches_match.group(1)) if latches_match else 0,
            raw=line.strip(),
        ))
    return found


def parse_print_stats(output: str) -> AbcStats:
    """The last AIG statistics line (`print_stats` or `&ps`) in `output`.

    Raises `AbcError` if there is none (the script printed no statistics, or its network is not an AIG).
    """
    found = parse_all_print_stats(output)
    if not found:
        raise AbcError("no AIG statistics line (print_stats or &ps) in the ABC output", output=_tail(output))
    return found[-1]


def optimize_with_abc(aig: Aig, script: str, *, timeout_s: float | None = None, keep_temp: bool = False,
                      binary: str | None = None) -> tuple[Aig, AbcRun]:
    """Runs `script` on `aig` in ABC and reads the result back.

    The script starts with `aig` read into ABC's classic network (`read`) and must leave its result there:
    after `&` commands, end with `&put` (for example `"&get; &deepsyn -T 1; &put"`). Input and output names and
    order are kept; the comments of `aig` are kept, ABC's are dropped. Temporary files (`input.aig`,
    `output.aig`) live in a fresh folder, removed afterwards unless `keep_temp` (the folder is the run's `cwd`).

    Raises `AbcError` if ABC fails, or returns a network with other numbers of inputs, outputs or latches.
    """
    work_dir = tempfile.mkdtemp(prefix="sc_abc_opt_")
    try:
        write_aiger(aig, os.path.join(work_dir, "input.aig"))
        command = f"read input.aig\n{script}\nwrite_aiger output.aig"
        run = run_abc(command, timeout_s=timeout_s, cwd=work_dir, binary=binary)
        output_path = os.path.join(work_dir, "output.aig")
        try:
            result = read_aiger(output_path)
        except AigerFormatError as exc:
            raise AbcError(f"ABC's result cannot be read back ({exc})", binary=run.binary, command=command,
                           output=_tail(run.output)) from None
    finally:
        if not keep_temp:
            shutil.rmtree(work_dir, ignore_errors=True)
    if not _same_interface(result, aig):
        raise AbcError(f"ABC changed the interface: {aig.num_pis}/{aig.num_pos}/{aig.num_latches} inputs/outputs/"
                       f"latches became {result.num_pis}/{result.num_pos}/{result.num_latches}",
                       binary=run.binary, command=command, output=_tail(run.output))
    # ABC keeps the order of inputs and outputs, but not always their names (`&get; ...; &put` renames them
    # "pi0", "po0", ...), so ours are restored by position.
    result.pi_names = list(aig.pi_names)
    result.po_names = list(aig.po_names)
    result.latch_names = list(aig.latch_names)
    result.comments = list(aig.comments)
    return result, run


def _same_interface(a: Aig, b: Aig) -> bool:
    return (a.num_pis, a.num_pos, a.num_latches) == (b.num_pis, b.num_pos, b.num_latches)


def optimize_each_with_abc(aigs: Sequence[Aig], script: str, *, timeout_s: float | None = None,
                           binary: str | None = None) -> list[Aig | None]:
    """Runs `script` on each of `aigs` on its own (read afresh, `strash`ed first), all in one ABC process: the
    results in order, None where ABC wrote none or one with another interface. For many small networks, where
    starting a process per network would cost more than the script. Names and comments are not kept.

    Raises `AbcError` (`AbcTimeoutError`) when the process fails as a whole or runs past `timeout_s`.
    """
    with tempfile.TemporaryDirectory(prefix="sc_abc_each_") as folder:
        lines = []
        for position, aig in enumerate(aigs):
            write_aiger(aig, os.path.join(folder, f"in{position}.aig"))
            lines.append(f"read in{position}.aig; strash; {script}; write_aiger out{position}.aig")
        run_abc(lines, timeout_s=timeout_s, cwd=folder, binary=binary)
        results: list[Aig | None] = []
        for position, aig in enumerate(aigs):
            try:
                result = read_aiger(os.path.join(folder, f"out{position}.aig"))
            except AigerFormatError:
                result = None
            results.append(result if result is not None and _same_interface(result, aig) else None)
    return results
