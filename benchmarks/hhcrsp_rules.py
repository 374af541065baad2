"""The HHCRSP paper's rules, checked on a plan apart from matchmaker's own verifier.

The check reads the plan's visits in the instance's own terms (float distances and times,
nodes and services) and holds them to the rules of Mankowska, Meisel & Bierwirth (2014) as
their model states them: each service a patient needs served once, by a caregiver
qualified for it, not before the patient's window opens; a caregiver's next visit starts
no earlier than the last one's end plus the distance between them (the first one after
the distance from the depot); the two services of a double service by two caregivers
(the model has no arc from a patient to itself), the second starting ``mind`` to ``maxd``
after the first. A result below a published best known value counts only with none of
these broken.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from benchmarks.hhcrsp import Instance

__all__ = ["Visit", "paper_rules_broken"]

Visit = tuple[float, int, int]
"""(start in instance time units, node, service index)."""

_EPSILON = 1e-6


def paper_rules_broken(inst: Instance, visits: dict[int, list[Visit]]) -> list[str]:
    """Each rule the plan breaks, one message a breach; ``visits`` by caregiver index."""
    broken: list[str] = []
    served: dict[int, list[tuple[int, float, int]]] = {}
    for caregiver, own in visits.items():
        node_before, ready = 0, 0.0
        for start, node, service in sorted(own):
            where = f"caregiver {caregiver + 1} at patient {node} (service {service + 1})"
            if not inst.qualified[caregiver, service]:
                broken.append(f"{where}: not qualified")
            if start < float(inst.earliest[node]) - _EPSILON:
                broken.append(f"{where}: starts before the window opens")
            arrival = ready + float(inst.distance[node_before, node])
            if start < arrival - _EPSILON:
                broken.append(f"{where}: starts at {start:.2f}, cannot arrive before {arrival:.2f}")
            served.setdefault(node, []).append((service, start, caregiver))
            node_before, ready = node, start + float(inst.processing[node, service])
    for node in inst.patients:
        needed = [k for k in range(inst.n_services) if inst.requires[node, k]]
        got = sorted(served.get(node, []))
        if [service for service, _, _ in got] != needed:
            broken.append(f"patient {node}: services {needed} needed, served {got}")
            continue
        if len(got) == 2:
            (_, first, one), (_, second, other) = got
            if one == other:
                broken.append(f"patient {node}: both services by caregiver {one + 1}")
            gap = second - first
            low, high = float(inst.min_gap[node]), float(inst.max_gap[node])
            if not low - _EPSILON <= gap <= high + _EPSILON:
                broken.append(f"patient {node}: services {gap:.2f} apart, not {low:g}-{high:g}")
    return broken
