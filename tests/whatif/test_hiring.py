"""what_would_serve_most: hiring signals proven together, other changes added up."""

from __future__ import annotations

from matchmaker.model import Gender, SkillRequirement, TimeWindow
from matchmaker.whatif import Districts, smallest_changes, what_would_serve_most
from tests.clock import at
from tests.rules.world import HOME, job, plan_of, world

CARE = (SkillRequirement(name="elderly_care", level=3),)


def test_jobs_needing_the_same_hire_are_served_together() -> None:
    """Three morning care visits nobody can serve: one new carer in the district serves
    them all (the greedy plan of the new worker passes verify), and the row says so with
    their weighted value; a relaxable job adds its own row."""
    windows = [(8, 9), (10, 11), (12, 12)]
    dataset = world(
        jobs=[
            *(
                job(f"C{k}", required_skills=CARE, window=TimeWindow(start=at(a), end=at(b)))
                for k, (a, b) in enumerate(windows, start=1)
            ),
            job("M1", gender_required=Gender.MALE, priority=5),
        ]
    )
    plan = plan_of(dataset)
    districts = Districts.named({"town": HOME})
    changes = smallest_changes(dataset, plan, districts=districts)
    assert {c.job_id: c.kind for c in changes} == {
        "C1": "hire",
        "C2": "hire",
        "C3": "hire",
        "M1": "relax_preference",
    }
    table = what_would_serve_most(dataset, plan, changes, districts=districts)
    hire = table[table["change"] == "hire"].iloc[0]
    assert (hire["workers_to_hire"], hire["jobs"], hire["value"]) == (1, 3, 12)
    assert hire["proven"] == "together" and hire["district"] == "town"
    assert hire["sentence"].startswith("1 more elderly_care worker in town")
    assert "would serve 3 job(s), 12 weighted points" in hire["sentence"]
    relax = table[table["change"] == "relax_preference"].iloc[0]
    assert (relax["jobs"], relax["value"], relax["proven"]) == (1, 16, "each alone")
    assert list(table["value"]) == sorted(table["value"], reverse=True)
