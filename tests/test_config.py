import dataclasses
import logging
import re
from dataclasses import fields
from pathlib import Path

import pytest

from mnistreport.config import (NOT_SIZES, RANGES, SIZES, Config, ConfigError, check_perplexities, config_from_dict,
                                load_config)

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


def whole_number_keys() -> list[str]:
    """Every "section.key" of Config whose default is a whole number (not a bool)."""
    return [f"{section.name}.{key.name}" for section in fields(Config)
            for key in fields(getattr(Config(), section.name))
            if type(getattr(getattr(Config(), section.name), key.name)) is int]


def value_of(config: Config, dotted: str) -> int:
    name, key = dotted.split(".")
    return getattr(getattr(config, name), key)


def test_every_whole_number_key_is_a_size_or_named_as_not_one():
    # A new key that costs time must get a --quick cap; one that does not must say so in NOT_SIZES.
    keys = whole_number_keys()
    assert len(NOT_SIZES) == len(set(NOT_SIZES)) and not set(SIZES) & set(NOT_SIZES)
    assert sorted(set(SIZES) | set(NOT_SIZES)) == sorted(keys)


def largest_config() -> Config:
    """Every size at the largest value its range allows (a square number of digit samples, too)."""
    raw: dict[str, dict] = {}
    for dotted in SIZES:
        name, key = dotted.split(".")
        raw.setdefault(name, {})[key] = int(RANGES[name][key].high)
    return config_from_dict(raw)


def test_quick_caps_every_size_and_keeps_smaller_values(caplog):
    with caplog.at_level(logging.ERROR, logger="mnistreport.config"):  # the largest values warn; not tested here
        largest = largest_config()
    quick = largest.quick()
    for dotted, size in SIZES.items():
        assert value_of(largest, dotted) > size.quick, dotted  # the test would not show the cap otherwise
        cap = max(size.quick, 151) if dotted == "perplexity.n" else size.quick  # the sweep's largest perplexity 150
        assert value_of(quick, dotted) == cap, dotted
    assert quick.perplexity.values == largest.perplexity.values and quick.sampling == largest.sampling
    check_perplexities(quick)
    assert int(quick.first_look.digit_samples**0.5) ** 2 == quick.first_look.digit_samples
    # a value already below its cap is kept, never raised: every size at the smallest value its range allows
    smallest: dict[str, dict] = {"perplexity": {"values": [1.0]}, "tsne": {"perplexity": 1.0}}
    for dotted in SIZES:
        name, key = dotted.split(".")
        smallest.setdefault(name, {})[key] = int(RANGES[name][key].low)
    small = config_from_dict(smallest)
    assert small.explore.early_iterations == 0 and small.quick() == small


def test_quick_keeps_the_preview_sizes_the_builds_rely_on():
    d = Config()
    expected = dataclasses.replace(
        d,
        tsne=dataclasses.replace(d.tsne, big_n=2000),
        perplexity=dataclasses.replace(d.perplexity, n=300),
        grid=dataclasses.replace(d.grid, side=30),
        autoencoder=dataclasses.replace(d.autoencoder, max_epochs=8),
        mlp=dataclasses.replace(d.mlp, epochs=1),
        cnn=dataclasses.replace(d.cnn, max_epochs=2),
        explore=dataclasses.replace(d.explore, iterations=150),
    )
    assert d.quick() == expected and expected.quick() == expected


def config_warnings(caplog) -> list[str]:
    return [r.getMessage() for r in caplog.records if r.name == "mnistreport.config" and r.levelno == logging.WARNING]


def test_a_huge_size_warns_once_with_the_file_key_and_slowdown(tmp_path, caplog):
    path = tmp_path / "report.toml"
    path.write_text("[explore]\nearly_iterations = 10000\n", encoding="utf-8")
    with caplog.at_level(logging.WARNING, logger="mnistreport.config"):
        load_config(path)
    # 10,250 + 350 iterations instead of 600: about 17 times as many
    assert config_warnings(caplog) == [
        f"explore.early_iterations = 10000 in {path} is 40x the default 250: "
        "the explorer map's t-SNE iterations take about 17x longer"]


@pytest.mark.parametrize(
    "raw, warned",
    [
        ({"explore": {"early_iterations": 1000}}, []),  # 4x the default, 2.3x the iterations
        ({"grid": {"side": 80}}, ["grid.side = 80 in the parameters is 1.6x the default 50: "
                                  "the grid's exact assignment (lapjv) takes about 8.3x longer"]),
        ({"cnn": {"dense": 1000}}, []),  # 7.8x the units of a layer that does 6 % of the work
        ({"cnn": {"conv1_filters": 128, "max_epochs": 100}},
         ["cnn.conv1_filters = 128 in the parameters is 8x the default 16: the CNN's training takes about 7.6x longer",
          "cnn.max_epochs = 100 in the parameters is 8.3x the default 12: the CNN's training can take up to about "
          "8.3x longer (it stops earlier when the validation loss stops improving)"]),
        ({"kmeans": {"n_init": 12}}, []),  # exactly 4x: not "more than"
        ({"mlp": {"hidden": 2000}}, ["mlp.hidden = 2000 in the parameters is 10x the default 200: "
                                     "the NumPy network's training takes about 10x longer"]),
        ({"first_look": {"mosaic_rows": 100}}, []),  # drawn in moments at any size
        ({"tsne": {"big_n": 60000}, "autoencoder": {"batch_size": 1}},
         ["tsne.big_n = 60000 in the parameters is 6x the default 10000: "
          "the raw-pixel t-SNE map takes about 6x longer"]),
    ],
)
def test_only_sizes_that_make_a_step_far_slower_warn(caplog, raw, warned):
    with caplog.at_level(logging.WARNING, logger="mnistreport.config"):
        config_from_dict(raw)
    assert config_warnings(caplog) == warned


def test_the_repository_parameter_file_gives_no_warning(caplog):
    with caplog.at_level(logging.DEBUG, logger="mnistreport.config"):
        load_config(REPO / "report.toml")
    assert [r for r in caplog.records if r.levelno >= logging.WARNING] == []
