"""sc-train rl from the command line: a tiny run writes its champion; a bad resume is a one-line error."""

from sc_plugin.cli.train import main
from sc_plugin.learned.checkpoint import load_model


def test_rl_writes_a_champion_checkpoint(tiny_dataset, tmp_path, capsys):
    path, _ = tiny_dataset
    assert main(["rl", "--config", "rl_tiny", "--data", str(path), "--out-dir", str(tmp_path), "--iterations", "1",
                 "--simulations", "1"]) == 0
    out = capsys.readouterr().out
    assert "iter 1/1" in out and "gate:" in out
    _, payload = load_model(tmp_path / "best.pt")
    assert payload["metrics"]["phase"] == "rl"
    assert payload["train_config"]["selfplay"]["simulations"] == 1


def test_rl_resume_of_an_empty_folder_fails_cleanly(tiny_dataset, tmp_path, capsys):
    path, _ = tiny_dataset
    assert main(["rl", "--config", "rl_tiny", "--data", str(path), "--out-dir", str(tmp_path), "--resume"]) == 1
    assert "sc-train: error:" in capsys.readouterr().err
