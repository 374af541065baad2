"""Generated rounds shared by the generator tests."""

from __future__ import annotations

import pandas as pd
import pytest

from matchmaker.generate import generate_frames


@pytest.fixture(scope="session")
def day() -> dict[str, pd.DataFrame]:
    return generate_frames(workers=40, jobs=120, seed=7)


@pytest.fixture(scope="session")
def week() -> dict[str, pd.DataFrame]:
    return generate_frames(workers=80, jobs=600, seed=11, days=5)


@pytest.fixture(scope="session")
def city() -> dict[str, pd.DataFrame]:
    return generate_frames(workers=400, jobs=1200, seed=3)
