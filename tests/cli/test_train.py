"""sc-train from the command line: data with ABC golds by default; a tiny rl run writes its champion; a bad
resume is a one-line error."""

from sc_plugin.cli.train import main
from sc_plugin.learned.checkpoint import default_checkpoint_path, load_model
from sc_plugin.training.data import load_dataset


def test_data_imitates_abc_results_by_default(tmp_path, capsys, require_abc):
    out = tmp_path / "data.npz"
    no_test_sets = tmp_path / "none_tt.txt"  # the default test sets lie outside the repository
    no_test_sets.write_text("id\ttt_hex\n")
    assert main(["data", "--circuits", "sc_plugin/data/examples/int2float.aig", "--exclude", str(no_test_sets),
                 "--cones-per-circuit", "100", "--seed", "3", "-o", str(out)]) == 0
    replaced = int(capsys.readouterr().out.split("gold_replaced: ")[1].split()[0])
    dataset = load_dataset(out)
    assert replaced > 0 and dataset.metadata["params"]["gold"] == "abc"
    assert "ABC" in dataset.metadata["gold"]


def test_rl_writes_a_champion_checkpoint_and_ships_it_where_asked(tiny_dataset, tmp_path, capsys):
    path, _ = tiny_dataset
    packaged = default_checkpoint_path().stat().st_mtime_ns
    shipped = tmp_path / "shipped" / "model.pt"
    assert main(["rl", "--config", "rl_tiny", "--data", str(path), "--out-dir", str(tmp_path), "--iterations", "1",
                 "--simulations", "1", "--ship", str(shipped)]) == 0
    out = capsys.readouterr().out
    assert "iter 1/1" in out and "gate:" in out
    _, payload = load_model(tmp_path / "best.pt")
    assert payload["metrics"]["phase"] == "rl"
    assert payload["train_config"]["selfplay"]["simulations"] == 1
    _, exported = load_model(shipped)
    assert exported["metrics"] == payload["metrics"] and "optimizer_state" not in exported
    assert default_checkpoint_path().stat().st_mtime_ns == packaged  # the installed package is left alone


def test_rl_resume_of_an_empty_folder_fails_cleanly(tiny_dataset, tmp_path, capsys):
    path, _ = tiny_dataset
    assert main(["rl", "--config", "rl_tiny", "--data", str(path), "--out-dir", str(tmp_path), "--resume"]) == 1
    assert "sc-train: error:" in capsys.readouterr().err
