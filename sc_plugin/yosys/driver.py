"""`sc-yosys`: the `yosys` command on top of pyosys, with the `shortcircuit` pass registered.

pyosys ships libyosys but no `yosys` executable; this is one for the usual options:

    sc-yosys [-q] [-l LOG] [-s SCRIPT] [-p COMMANDS] [FILE ...]

Files are read with the frontend their extension names (.v, .sv, .il, .json, .blif, .aig; .ys files are run as
scripts), then `-p` commands and `-s` scripts run in the order given. pyosys has no Tcl, so .tcl files are
refused and `-s` scripts may use `${NAME}` and `${NAME:-default}`, filled from `-D NAME=VALUE` or the environment.
Without files, scripts or commands it opens Yosys's interactive shell. Errors (a missing file, a syntax error, an
unknown command or option, a log file in a missing folder) print one message and exit with status 1; Yosys itself
reports its errors as `ERROR: ...`, with `-q` too (on stderr, with the warnings).

Yosys ends the process on its first error (`_Exit`, no Python cleanup), so the run happens in a forked child
process: the parent removes the temporary folder on every path out and, with `-q`, shows what went wrong from a
copy of the log.
"""

from __future__ import annotations

import argparse
import ctypes
import os
import re
import shutil
import signal
import sys
import tempfile
from typing import Sequence

from sc_plugin.errors import CliParser, ScError
from sc_plugin.files import check_output_folder, read_text

__all__ = ["main"]

_FRONTENDS = {
    ".v": "read_verilog", ".vh": "read_verilog", ".sv": "read_verilog -sv", ".il": "read_rtlil",
    ".rtlil": "read_rtlil", ".json": "read_json", ".blif": "read_blif", ".aig": "read_aiger", ".aag": "read_aiger",
    ".ys": "script",
}


def _parser() -> argparse.ArgumentParser:
    parser = CliParser(
        prog="sc-yosys",
        description="Yosys (through pyosys) with the ShortCircuit pass `shortcircuit` registered. "
                    "Run `sc-yosys -p 'help shortcircuit'` for the pass's options.",
        epilog="Example: sc-yosys -p 'synth -top top; shortcircuit; abc -g AND; stat' design.v")
    parser.add_argument("files", nargs="*", metavar="FILE",
                        help="input files, read by extension; .ys files run as scripts (no .tcl: pyosys has no Tcl)")
    parser.add_argument("-p", dest="steps", action="append", type=lambda s: ("p", s), metavar="COMMANDS",
                        help="run these commands (separated by ';'); may be repeated")
    parser.add_argument("-s", dest="steps", action="append", type=lambda s: ("s", s), metavar="SCRIPT",
                        help="run this Yosys script; may be repeated")
    parser.add_argument("-D", dest="defines", action="append", default=[], metavar="NAME=VALUE",
                        help="a variable for ${NAME} / ${NAME:-default} in -s scripts (else the environment)")
    parser.add_argument("-q", dest="quiet", action="store_true",
                        help="quiet: only warnings and errors on the console")
    parser.add_argument("-l", dest="logfile", metavar="LOGFILE", help="also write the log to this file")
    return parser


def _script_lines(args: argparse.Namespace) -> list[str]:
    """The whole run as Yosys script lines; refuses missing files and Tcl scripts before Yosys starts."""
    lines = []
    for path in args.files:
        if not os.path.isfile(path):
            raise FileNotFoundError(path)
        extension = os.path.splitext(path)[1].lower()
        if extension == ".tcl":  # read_verilog, the fallback, would report a syntax error instead
            raise ScError(f"{path}: Tcl scripts are not supported (pyosys has no Tcl); use a .ys script")
        frontend = _FRONTENDS.get(extension, "read_verilog")
        lines.append(f"{frontend} {_quote(path)}")
    for kind, value in args.steps or []:
        if kind == "s":
            if not os.path.isfile(value):
                raise FileNotFoundError(value)
            lines.extend(_substitute(read_text(value), args.defines, value).splitlines())
        else:
            lines.extend(value.splitlines())
    return lines


_PROBLEM = re.compile(r"^(\S+:\d+: )?(ERROR|Warning): ")  # Yosys's error and warning lines, file:line first or not
_VARIABLE = re.compile(r"\$\{(\w+)(?::-([^}]*))?\}")


def _substitute(text: str, defines: list[str], where: str) -> str:
    """Replaces ${NAME} and ${NAME:-default} by -D values, else environment variables, else the default."""
    values = dict(os.environ)
    for define in defines:
        name, sep, value = define.partition("=")
        if not sep:
            raise ValueError(f"-D {define}: expected NAME=VALUE")
        values[name] = value

    def value_of(match: re.Match) -> str:
        name, default = match.group(1), match.group(2)
        if name in values:
            return values[name]
        if default is not None:
            return default
        raise ValueError(f"{where}: variable ${{{name}}} is not set (use -D {name}=VALUE)")

    return "\n".join(line if line.lstrip().startswith("#") else _VARIABLE.sub(value_of, line)
                     for line in text.splitlines())


def _quote(path: str) -> str:
    return f'"{path}"' if any(c.isspace() for c in path) else path


def _interactive_shell() -> None:
    """Yosys's shell on one design. Yosys's shell catches its own command errors, but one raised in a Python pass
    (an option error, say) reaches it through pybind11 as a RuntimeError it does not catch: Yosys has printed the
    error by then, so the shell starts again on the same design and reads the next command."""
    from pyosys import libyosys as ys

    import sc_plugin.yosys  # noqa: F401 - registers the pass

    design = ys.Design()
    while True:
        try:
            ys.shell(design)
            return
        except RuntimeError:
            print("sc-yosys: the command failed (its ERROR line is above); the design is kept", file=sys.stderr)


def _main(argv: Sequence[str] | None) -> int:
    try:
        args = _parser().parse_args(argv)
        if args.logfile:
            check_output_folder(args.logfile)
        lines = _script_lines(args)
    except FileNotFoundError as exc:
        print(f"sc-yosys: error: {exc.args[0]}: no such file", file=sys.stderr)
        return 1
    except (ValueError, ScError) as exc:
        print(f"sc-yosys: error: {exc}", file=sys.stderr)
        return 1
    if not lines:
        _interactive_shell()
        return 0
    if args.logfile:
        open(args.logfile, "w").close()  # `tee -a` appends; yosys -l starts a fresh file
    folder = tempfile.mkdtemp(prefix="sc_yosys_")
    try:
        script = os.path.join(folder, "run.ys")
        with open(script, "w") as handle:
            handle.write("\n".join(lines) + "\n")
        quiet_log = os.path.join(folder, "quiet.log")  # with -q: the log, to show warnings and errors from
        tee = ("tee" + (f" -q -o {_quote(quiet_log)}" if args.quiet else "")
               + (f" -a {_quote(args.logfile)}" if args.logfile else ""))
        command = f"script {_quote(script)}" if tee == "tee" else f"{tee} script {_quote(script)}"
        code = _run_in_child(command, args.logfile)
        if args.quiet and os.path.exists(quiet_log):
            with open(quiet_log, errors="replace") as handle:
                for line in handle:
                    if _PROBLEM.match(line):
                        sys.stderr.write(line)
        return code
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def _run_in_child(command: str, logfile: str | None = None) -> int:
    """Runs the Yosys command in a forked process (Yosys exits the process on an error) and returns its exit
    status: 0, or 1 after an error. The error of a Python pass goes to stderr and to `logfile`, where Yosys writes
    its own errors too."""
    sys.stdout.flush()
    sys.stderr.flush()
    pid = os.fork()
    if pid == 0:  # the child: Yosys, until it is done or ends the process itself
        signal.signal(signal.SIGINT, signal.SIG_DFL)  # Ctrl-C stops a long pass at once, as in yosys
        code = 1
        try:
            from pyosys import libyosys as ys

            import sc_plugin.yosys  # noqa: F401 - registers the pass

            ys.Pass.call(ys.Design(), command)
            code = 0
        except BaseException as exc:  # a Python pass failed
            # a user error reads as its message alone; anything else is a bug, named by its class
            message = str(exc) if isinstance(exc, ScError) else f"{type(exc).__name__}: {exc}"
            print(f"ERROR: {message}", file=sys.stderr)
            if logfile:
                ctypes.CDLL(None).fflush(None)  # Yosys's log lines first
                with open(logfile, "a") as handle:
                    handle.write(f"ERROR: {message}\n")
        finally:
            sys.stdout.flush()
            sys.stderr.flush()
            ctypes.CDLL(None).fflush(None)  # Yosys logs through C stdio, which os._exit does not flush
            os._exit(code)
    try:
        _, status = os.waitpid(pid, 0)
    except BaseException:  # interrupted: the child goes too
        os.kill(pid, signal.SIGKILL)
        os.waitpid(pid, 0)
        raise
    code = os.waitstatus_to_exitcode(status)
    if code < 0:
        print(f"sc-yosys: error: Yosys died on signal {-code}", file=sys.stderr)
        return 1
    return code


def main(argv: Sequence[str] | None = None) -> int:
    try:
        return _main(argv)
    except KeyboardInterrupt:
        print("sc-yosys: interrupted", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
