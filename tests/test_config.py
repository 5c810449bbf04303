from pathlib import Path

import pytest

from mnistreport.config import Config, ConfigError, config_from_dict, load_config

REPO = Path(__file__).resolve().parent.parent


def test_repository_parameter_file_and_code_defaults_agree():
    # report.toml documents the defaults; a value changed in one place only would differ here
    assert load_config(REPO / "report.toml") == Config()


def test_the_map_size_is_derived_from_the_grid_not_set_twice():
    with pytest.raises(ConfigError, match=r"\[tsne\]: unknown key\(s\) n"):
        config_from_dict({"tsne": {"n": 2500}})
    with pytest.raises(ConfigError, match=r"grid\.side: must be at least 2"):
        config_from_dict({"grid": {"side": 1}})


def test_missing_keys_keep_defaults():
    assert config_from_dict({}) == Config()


@pytest.mark.parametrize(
    "raw, key",
    [
        ({"first_look": {"mosaic_rows": "15"}}, "first_look.mosaic_rows"),
        ({"first_look": {"mosaic_rows": -1}}, "first_look.mosaic_rows"),
        ({"first_look": {"digit_samples": 99}}, "first_look.digit_samples"),
        ({"first_look": {"colour": 1}}, "colour"),
        ({"nonsense": {}}, "nonsense"),
        ({"sampling": {"seed": True}}, "sampling.seed"),
    ],
)
def test_bad_values_name_their_key(raw, key):
    with pytest.raises(ConfigError, match=key.replace(".", r"\.")):
        config_from_dict(raw)


def test_errors_name_the_file(tmp_path):
    bad = tmp_path / "report.toml"
    bad.write_text("[first_look]\nmosaic_rows = = 3\n")
    with pytest.raises(ConfigError, match="report.toml: not valid TOML"):
        load_config(bad)
    with pytest.raises(ConfigError, match="not found"):
        load_config(tmp_path / "missing.toml")
