import os
import signal
import time

import pytest

from sc_plugin.cli.common import run_cli
from sc_plugin.errors import CliParser, ScError


def test_usage_errors_are_one_line_user_errors_of_status_1(capsys):
    parser = CliParser(prog="tool")
    sub = parser.add_subparsers(dest="command", required=True).add_parser("cec")
    sub.add_argument("first")
    sub.add_argument("second")
    with pytest.raises(ScError, match=r"required: second \(see tool cec --help\)"):
        parser.parse_args(["cec", "a.aig"])
    assert run_cli("tool", lambda argv: parser.parse_args(argv) and 0, ["cec", "a.aig"]) == 1
    err = capsys.readouterr().err
    assert err.startswith("tool: error:") and err.count("\n") == 1


def test_sigterm_stops_cleanly_and_restores_the_handler(capsys):
    cleaned = []

    def work(argv):
        try:
            os.kill(os.getpid(), signal.SIGTERM)
            time.sleep(5)  # the handler raises before this returns
            return 0
        finally:
            cleaned.append(True)

    before = signal.getsignal(signal.SIGTERM)
    assert run_cli("tool", work, []) == 143
    assert cleaned == [True] and "tool: terminated" in capsys.readouterr().err
    assert signal.getsignal(signal.SIGTERM) == before
