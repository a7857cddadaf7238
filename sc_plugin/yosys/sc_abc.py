"""`sc-abc`: an ABC stand-in for stock Yosys (no Python inside Yosys needed).

Yosys's `abc` pass extracts the logic of a module to BLIF and runs `<exe> -s -f <tmp>/abc.script`, where the
script reads the BLIF (and the gate library), runs `source <your script>` (with `-script FILE`) and writes
`<tmp>/output.blif`. With `abc -exe sc-abc -script my.abc`, `my.abc` may hold, between ordinary ABC commands,

    sc_opt [options of the shortcircuit pass: -k K, -engine E, -rounds N, -time_limit S, ...]

sc-abc expands `source` lines, splits the script at each `sc_opt`, and runs the real ABC (`find_abc()`: $SC_ABC,
else pyosys's yosys-abc, else one on PATH) on each part: a part ends with `strash; write_aiger -s` to a file in a
private temporary folder, `sc_opt` optimizes that file with the optimizer of `sc-opt` (final proof by &cec
included; on failure the network goes on unchanged and a warning is printed), and the next part starts with
`read_aiger` of the result, after re-running the library commands (`read_library`, `read_lib`, `read_lut`, ...)
seen so far, since each part is a new ABC process. A script without `sc_opt` is passed to the real ABC as is.
Exit status: 0, or 1 with an `sc-abc: error: ...` line when ABC or an `sc_opt` option fails.
"""

from __future__ import annotations

import os
import shlex
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Sequence

from sc_plugin.abc.runner import find_abc, run_abc
from sc_plugin.aig.aiger import read_aiger, write_aiger
from sc_plugin.errors import ScError
from sc_plugin.files import read_text
from sc_plugin.rewrite.options import apply_options, dashed_help, parse_dashed_options
from sc_plugin.rewrite.pipeline import optimize_verified

__all__ = ["main", "split_commands", "expand_script"]

SC_COMMAND = "sc_opt"
# ABC commands whose effect lives in ABC's global frame (libraries, constraints) and must be repeated in every
# ABC process after the first.
_SETUP_COMMANDS = ("read_library", "read_lib", "read_liberty", "read_lut", "read_constr", "read_super",
                   "read_genlib", "read_box")



def split_commands(text: str) -> list[str]:
    """ABC script text -> commands (split at newlines and at `;` outside double quotes; `#` starts a comment)."""
    commands = []
    for line in text.splitlines():
        current, quoted = [], False
        for char in line:
            if char == '"':
                quoted = not quoted
            if char == "#" and not quoted:
                break
            if char == ";" and not quoted:
                commands.append("".join(current).strip())
                current = []
            else:
                current.append(char)
        commands.append("".join(current).strip())
    return [c for c in commands if c]


def expand_script(text: str, depth: int = 0) -> list[str]:
    """Commands of a script with `source FILE` replaced by FILE's commands (recursively)."""
    if depth > 16:
        raise ScError("ABC script: `source` nested more than 16 deep")
    commands = []
    for command in split_commands(text):
        words = shlex.split(command)
        if words and words[0] == "source" and len(words) == 2 and not words[1].startswith("-"):
            try:
                commands.extend(expand_script(read_text(words[1]), depth + 1))
            except ScError as exc:
                raise ScError(f"ABC script: {exc}") from None
        else:
            commands.append(command)
    return commands


def _run_sc_opt(command: str, source: str, target: str) -> None:
    """Optimizes the AIGER file `source` into `target` with the verified pipeline; `target` gets the network
    unchanged (and a warning is printed) when the pipeline keeps its input."""
    words = shlex.split(command)[1:]
    values, end = parse_dashed_options(words)
    if end < len(words):
        raise ScError(f"{SC_COMMAND}: unknown option {words[end]!r} in {command!r}")
    params = apply_options(values, style="yosys")
    print(f"sc-abc: + {command}", flush=True)
    result, stats = optimize_verified(read_aiger(source), params)
    write_aiger(result, target)
    print(f"sc-abc: {SC_COMMAND}: {stats.report()}", flush=True)
    if stats.failure:
        print(f"sc-abc: warning: {SC_COMMAND} kept the network unchanged", flush=True)


def usage() -> str:
    """The answer to `sc-abc --help`: how to call it, and the options of `sc_opt`."""
    return f"""usage: sc-abc [ABC options] -f SCRIPT | -c COMMANDS

An ABC stand-in for stock Yosys: `abc -exe sc-abc -script my.abc` runs my.abc, in which the command

    {SC_COMMAND} [options]

optimizes the current network with ShortCircuit's verified pipeline (the optimizer of sc-opt, final proof by
&cec included; the network goes on unchanged, with a warning, when it fails). The other commands run in the real
ABC ($SC_ABC, else pyosys's yosys-abc, else one on PATH); a script without {SC_COMMAND} goes to it as is.
Exit status: 0, or 1 with an `sc-abc: error: ...` line.

Options of {SC_COMMAND}:

{dashed_help(84)}
Example script:
    strash; {SC_COMMAND} -k 6 -engine abc; map
"""


def _run(argv: list[str]) -> int:
    if any(arg in ("-h", "--help") for arg in argv):
        print(usage(), end="")
        return 0
    script_text = None
    for i, arg in enumerate(argv):
        if arg == "-f" and i + 1 < len(argv):
            script_text = read_text(argv[i + 1].strip('"'))
        elif arg == "-c" and i + 1 < len(argv):
            script_text = argv[i + 1]
    binary = find_abc()
    commands = expand_script(script_text) if script_text is not None else []
    if not any(shlex.split(c)[0] == SC_COMMAND for c in commands):
        return subprocess.call([binary, *argv])  # nothing of ours: the real ABC, untouched
    work = tempfile.mkdtemp(prefix="sc_abc_")
    try:
        setup: list[str] = []
        part: list[str] = []
        network = None  # the AIGER file the next part starts from
        model_name = _model_name(commands)
        for index, command in enumerate(commands + [None]):
            name = None if command is None else shlex.split(command)[0]
            if command is not None and name != SC_COMMAND:
                part.append(command)
                continue
            start = [*setup, f'read_aiger "{network}"'] if network else []
            setup.extend(c for c in part if shlex.split(c)[0] in _SETUP_COMMANDS)
            if command is None:
                _abc(binary, start + part)
                if network:
                    _restore_model_names(part, model_name)
                break
            # ABC names a network read from AIGER after its file, and Yosys wants its BLIF model `netlist` back.
            os.makedirs(os.path.join(work, str(index)))
            source = os.path.join(work, str(index), "input.aig")
            target = os.path.join(work, str(index), "netlist.aig")
            _abc(binary, start + part + ["strash", f'write_aiger -s "{source}"'])
            _run_sc_opt(command, source, target)
            network, part = target, []
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return 0


def _model_name(commands: list[str]) -> str:
    """The `.model` name of the first BLIF the script reads (Yosys's is `netlist`), else `netlist`."""
    for command in commands:
        words = shlex.split(command)
        if words[0] in ("read_blif", "read") and words[-1].endswith(".blif"):
            try:
                with open(words[-1]) as handle:
                    for line in handle:
                        if line.startswith(".model"):
                            return line.split(maxsplit=1)[1].strip()
            except OSError:
                break
    return "netlist"


def _restore_model_names(commands: list[str], model_name: str) -> None:
    """ABC names a network read from AIGER after the file's path; BLIF written from it gets the original name
    back, since Yosys looks for its own model name in the output."""
    for command in commands:
        words = shlex.split(command)
        if words[0] in ("write_blif", "write") and words[-1].endswith(".blif") and os.path.isfile(words[-1]):
            lines = Path(words[-1]).read_text().splitlines(keepends=True)
            for i, line in enumerate(lines):
                if line.startswith(".model"):
                    lines[i] = f".model {model_name}\n"
                    break
            Path(words[-1]).write_text("".join(lines))


def _abc(binary: str, commands: list[str]) -> None:
    run = run_abc(commands, binary=binary)
    sys.stdout.write(run.output if run.output.endswith("\n") else run.output + "\n")
    sys.stdout.flush()


def main(argv: Sequence[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    try:
        return _run(argv)
    except ScError as exc:
        print(f"sc-abc: error: {exc}", file=sys.stderr, flush=True)
        return 1
    except OSError as exc:
        print(f"sc-abc: error: {exc}", file=sys.stderr, flush=True)
        return 1


if __name__ == "__main__":
    sys.exit(main())
