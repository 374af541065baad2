"""Policy and dataset.toml settings: defaults, validation and loading from TOML."""

from __future__ import annotations

from pathlib import Path

import pytest
from pydantic import ValidationError

from matchmaker.model import (
    DatasetSettings,
    Policy,
    PolicyError,
    ScoreWeights,
    TravelSettings,
    load_policy,
)


def test_default_travel_settings_match_the_design() -> None:
    """Defaults are exactly the travel model of docs/design.md section 4."""
    travel = TravelSettings()
    assert travel.detour_factor == 1.3
    assert travel.earth_radius_km == 6371.0
    assert travel.speed_kmh == {"walk": 4.5, "bike": 12.0, "transit": 20.0, "car": 25.0}
    assert travel.overhead_minutes == {"walk": 0, "bike": 0, "transit": 5, "car": 5}


def test_partial_travel_override_keeps_other_modes() -> None:
    """Overriding one mode's speed leaves the other modes at their defaults."""
    travel = TravelSettings.model_validate({"speed_kmh": {"car": 30}})
    assert travel.speed_kmh["car"] == 30
    assert travel.speed_kmh["walk"] == 4.5


def test_unknown_mode_and_bad_speed_are_rejected() -> None:
    """An unknown travel mode or a non-positive speed is a validation error."""
    with pytest.raises(ValidationError, match="unknown travel mode"):
        TravelSettings.model_validate({"speed_kmh": {"rocket": 900}})
    with pytest.raises(ValidationError, match="must be between 1 and 300 km/h"):
        TravelSettings.model_validate({"speed_kmh": {"walk": 0}})


def test_unknown_timezone_is_rejected() -> None:
    """dataset.toml must name an IANA timezone."""
    assert DatasetSettings(timezone="Asia/Shanghai").zone is not None
    with pytest.raises(ValidationError, match="unknown IANA timezone"):
        DatasetSettings(timezone="Mars/Olympus")


def test_score_weights_must_add_to_100() -> None:
    """Score weights that do not add up to 100 are refused."""
    assert sum(ScoreWeights().model_dump().values()) == 100
    with pytest.raises(ValidationError, match="add up to 100"):
        ScoreWeights(rating=50)


def test_priority_weights_must_cover_1_to_5() -> None:
    """Every priority 1..5 needs a weight of at least 1."""
    with pytest.raises(ValidationError, match="lacks priorities"):
        Policy(priority_weights={1: 1, 2: 2})


def test_load_policy_from_toml(tmp_path: Path) -> None:
    """A [policy] table in a TOML file loads into a Policy; bad content is a PolicyError."""
    good = tmp_path / "policy.toml"
    good.write_text("[policy]\nstrict_priority = true\ntravel_cost_per_minute = 2\n")
    policy = load_policy(good)
    assert policy.strict_priority is True
    assert policy.travel_cost_per_minute == 2
    bad = tmp_path / "bad.toml"
    bad.write_text("[policy]\ntravel_cost_per_minute = -1\n")
    with pytest.raises(PolicyError, match="travel_cost_per_minute"):
        load_policy(bad)
    with pytest.raises(PolicyError, match="not valid TOML"):
        (tmp_path / "broken.toml").write_text("[policy\n")
        load_policy(tmp_path / "broken.toml")
    with pytest.raises(PolicyError, match="not found"):
        load_policy(tmp_path / "missing.toml")


def test_every_policy_key_is_documented_in_the_dataset_contract() -> None:
    """datasets/README.md's table of ``[policy]`` keys names every field of Policy."""
    text = (Path(__file__).resolve().parents[2] / "datasets" / "README.md").read_text("utf-8")
    table = text[text.index("`[policy]` keys") :]
    missing = [name for name in Policy.model_fields if f"`{name}`" not in table]
    missing = [m for m in missing if f"`[policy.{m}]`" not in table]
    assert missing == []


def test_a_serving_price_without_travel_cost_is_refused_naming_the_file(tmp_path: Path) -> None:
    """``serve_value_minutes`` with ``travel_cost_per_minute = 0`` in a policy file is a
    PolicyError naming the file and the key it needs; a price of 0 minutes is refused too."""
    path = tmp_path / "policy.toml"
    path.write_text("[policy]\nserve_value_minutes = 40\ntravel_cost_per_minute = 0\n")
    with pytest.raises(PolicyError, match=r"policy\.toml.*travel_cost_per_minute"):
        load_policy(path)
    path.write_text("[policy]\nserve_value_minutes = 0\n")
    with pytest.raises(PolicyError, match="serve_value_minutes"):
        load_policy(path)
    path.write_text("[policy]\nserve_value_minutes = 40\n")
    assert load_policy(path).serve_value_minutes == 40
