import re
from dataclasses import fields
from pathlib import Path

import pytest

from mnistreport.config import RANGES, Config, ConfigError, config_from_dict, load_config

REPO = Path(__file__).resolve().parent.parent


def test_repository_parameter_file_and_code_defaults_agree():
    # report.toml documents the defaults; a value changed in one place only would differ here
    assert load_config(REPO / "report.toml") == Config()


def test_the_map_size_is_derived_from_the_grid_not_set_twice():
    with pytest.raises(ConfigError, match=r"\[tsne\]: unknown key\(s\) n"):
        config_from_dict({"tsne": {"n": 2500}})
    with pytest.raises(ConfigError, match=r"grid\.side: expected a whole number 2 <= side <= 244, found 1"):
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


def test_the_quick_sweep_keeps_enough_digits_for_its_largest_perplexity():
    config = config_from_dict({"perplexity": {"n": 1000, "values": [5, 400]}})
    assert config.quick().perplexity.n == 401
    assert Config().quick().perplexity.n == 300


# Each was accepted by the check and then crashed or was silently changed later.
@pytest.mark.parametrize(
    "raw, expected",
    [
        ({"perplexity": {"n": 0}}, "perplexity.n: expected a whole number 2 <= n <= 60000, found 0"),
        ({"tsne": {"big_n": 0}}, "tsne.big_n: expected a whole number 2 <= big_n <= 60000, found 0"),
        ({"kmeans": {"k": 0}}, "kmeans.k: expected a whole number 2 <= k <= 1000, found 0"),
        ({"cnn": {"dropout": 1.5}}, "cnn.dropout: expected a number 0 <= dropout < 1, found 1.5"),
        ({"autoencoder": {"batch_size": 0}},
         "autoencoder.batch_size: expected a whole number 1 <= batch_size <= 60000, found 0"),
        ({"sampling": {"seed": 10**20}},
         "sampling.seed: expected a whole number 0 <= seed <= 4294967295, found 100000000000000000000"),
        ({"explore": {"perplexity": float("nan")}}, "explore.perplexity: expected a number 1 <= perplexity <= 500"),
        ({"perplexity": {"values": [2.0, 0.5]}}, r"perplexity.values[1]: expected a number 1 <= values <= 500"),
    ],
)
def test_values_out_of_range_name_key_range_and_value(tmp_path, raw, expected):
    path = tmp_path / "report.toml"
    path.write_text(tomli_w_dumps(raw), encoding="utf-8")
    with pytest.raises(ConfigError) as caught:
        load_config(path)
    message = str(caught.value)
    assert message.startswith(f"{path}: {expected}") and "\n" not in message


def tomli_w_dumps(raw: dict) -> str:
    """TOML for a dict of sections of numbers and lists of numbers (nan included)."""
    def value(v):
        if isinstance(v, list):
            return "[" + ", ".join(value(x) for x in v) + "]"
        return "nan" if v != v else repr(v)
    return "".join(f"[{section}]\n" + "".join(f"{k} = {value(v)}\n" for k, v in keys.items())
                   for section, keys in raw.items())


def test_a_perplexity_not_below_its_maps_size_is_refused(tmp_path):
    # openTSNE would silently use (n - 1) / 3 = 0.67 instead of 150, and the page would say 150.
    path = tmp_path / "report.toml"
    path.write_text("[perplexity]\nn = 3\nvalues = [2.0, 150.0]\n", encoding="utf-8")
    with pytest.raises(ConfigError, match=r"report.toml: perplexity.values: expected a perplexity below "
                                          r"perplexity.n = 3 \(the digits of that map\), found 150$"):
        load_config(path)
    path.write_text("[tsne]\nbig_n = 40\n", encoding="utf-8")
    with pytest.raises(ConfigError, match=r"tsne.perplexity: expected a perplexity below tsne.big_n = 40"):
        load_config(path)


def test_zero_is_allowed_where_the_range_says_so():
    config = config_from_dict({"cnn": {"min_delta": 0.0, "patience": 0}, "explore": {"early_iterations": 0}})
    assert config.cnn.min_delta == 0.0 and config.explore.early_iterations == 0


def test_every_numeric_parameter_has_a_range_stated_in_report_toml():
    text = (REPO / "report.toml").read_text(encoding="utf-8")
    parts = re.split(r"^\[(\w+)\]$", text, flags=re.M)
    sections = dict(zip(parts[1::2], parts[2::2]))
    for section in fields(Config):
        defaults = getattr(Config(), section.name)
        for key in fields(defaults):
            value = getattr(defaults, key.name)
            if isinstance(value, bool) or not isinstance(value, (int, float, tuple)):
                continue
            allowed = RANGES[section.name][key.name]
            assert value == () or all(v in allowed for v in (value if isinstance(value, tuple) else (value,)))
            name = "each value" if isinstance(value, tuple) else key.name
            line = re.search(rf"^{key.name} = [^\n]*", sections[section.name], re.M)
            assert line and f"# {allowed.formula(name)}" in line.group(0), f"{section.name}.{key.name}"


def test_a_section_class_own_check_is_a_config_error():
    with pytest.raises(ConfigError, match=r"\[mlp\]: hidden_error must be 'gradient' or 'book'") as caught:
        config_from_dict({"mlp": {"hidden_error": "other"}})
    assert isinstance(caught.value.__cause__, ValueError)


def test_errors_keep_their_cause(tmp_path):
    bad = tmp_path / "report.toml"
    bad.write_text("[first_look]\nmosaic_rows = = 3\n")
    with pytest.raises(ConfigError) as caught:
        load_config(bad)
    assert caught.value.__cause__ is not None
