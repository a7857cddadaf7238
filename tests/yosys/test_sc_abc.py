"""`sc-abc`, the ABC stand-in for stock Yosys (its runs through Yosys are in test_shortcircuit.py)."""

from __future__ import annotations

from sc_plugin.rewrite.options import OPTIONS
from sc_plugin.yosys.sc_abc import main


def test_help_is_ours_not_abcs(capsys):
    for flag in ("--help", "-h"):
        assert main([flag]) == 0
        out = capsys.readouterr().out
        assert out.startswith("usage: sc-abc") and "sc_opt [options]" in out and "unknown option" not in out
        for option in OPTIONS:
            for spelling in option.dashed_flags:
                assert spelling in out, spelling


def test_a_script_that_is_not_utf8_is_a_one_line_error(tmp_path, capsys):
    (tmp_path / "random.abc").write_bytes(bytes(range(256)))
    assert main(["-s", "-f", f'"{tmp_path / "random.abc"}"']) == 1
    err = capsys.readouterr().err
    assert err.startswith("sc-abc: error:") and "not a UTF-8 text file" in err and err.count("\n") == 1
