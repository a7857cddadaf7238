import os
import stat

import pytest

from sc_plugin.aig import Aig
from sc_plugin.aig.io import write_network
from sc_plugin.errors import ScError
from sc_plugin.files import atomic_output, check_output_folder, read_text, write_atomic


def test_a_failed_write_leaves_the_old_file_and_no_temporary_file(tmp_path):
    target = tmp_path / "out.txt"
    target.write_text("old")
    with pytest.raises(KeyboardInterrupt):
        with atomic_output(target) as handle:
            handle.write("half of the new")
            raise KeyboardInterrupt
    assert target.read_text() == "old" and os.listdir(tmp_path) == ["out.txt"]
    write_atomic(target, "new")
    assert target.read_text() == "new" and os.listdir(tmp_path) == ["out.txt"]


def test_modes_follow_the_umask_or_the_replaced_file(tmp_path):
    umask = os.umask(0o022)
    try:
        write_atomic(tmp_path / "new.txt", b"x")
        assert stat.S_IMODE(os.stat(tmp_path / "new.txt").st_mode) == 0o644
        (tmp_path / "old.txt").write_text("x")
        os.chmod(tmp_path / "old.txt", 0o600)
        write_atomic(tmp_path / "old.txt", b"y")
        assert stat.S_IMODE(os.stat(tmp_path / "old.txt").st_mode) == 0o600
    finally:
        os.umask(umask)


def test_network_writers_are_atomic(tmp_path):
    aig = Aig()
    aig.create_po(aig.create_and(aig.create_pi("a"), aig.create_pi("b")), "y")
    for name in ("x.aig", "x.aag", "x.v"):
        (tmp_path / name).write_text("old")
        write_network(aig, tmp_path / name)
        assert (tmp_path / name).read_bytes() != b"old"
    assert sorted(os.listdir(tmp_path)) == ["x.aag", "x.aig", "x.v"]


def test_devices_are_written_directly():
    write_atomic(os.devnull, "nothing")  # no temporary file can be made in /dev, and none is needed


def test_output_folder_problems_are_one_line_errors(tmp_path):
    for path, message in ((tmp_path / "missing" / "x", "does not exist"), (tmp_path, "is a folder")):
        with pytest.raises(ScError, match=message):
            check_output_folder(path)
    with pytest.raises(ScError, match="cannot write"):
        write_atomic(tmp_path / "missing" / "x", "data")
    check_output_folder(tmp_path / "x")


def test_read_text_refuses_binary_files_in_one_line(tmp_path):
    (tmp_path / "random").write_bytes(b"ok\n\xff\xfe")
    with pytest.raises(ScError, match=r"not a UTF-8 text file \(byte 0xff at offset 3\)"):
        read_text(tmp_path / "random")
    with pytest.raises(ScError, match="cannot read file"):
        read_text(tmp_path / "missing")
