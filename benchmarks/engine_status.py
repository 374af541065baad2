"""Where each target of the engine against VROOM stands: the latest run of every row, gathered
from the sections :mod:`benchmarks.engine` wrote into ``RESULTS.md`` (no new run).

A row is one round (with the seed it was generated from), weighting, matchmaker time limit
and VROOM level, under the same objective; rows with serving priced are left out (another
objective). Where several sections hold a row, the latest wins: sections that record when
they started (``- started:``, written since this script exists) by that time, after every
section that does not, which keep their order in the file (the order they were first
written in). The verdicts are computed from the figures, not typed in:

* **served**: matchmaker's weighted served value at least 2% above VROOM's;
* **travel**: matchmaker's travel per served job at most VROOM's;
* **gap**: the bound gap at most 5% on 60 x 150 rounds and 8% on 200 x 600 rounds (other
  rounds have no target and show ``-``).

    python benchmarks/engine_status.py              # writes the engine-status section
"""

from __future__ import annotations

import argparse
import re
import sys
from dataclasses import dataclass
from pathlib import Path

if __package__ in (None, ""):
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks.instances import INSTANCE_SEED
from benchmarks.run_output import markdown_table
from benchmarks.sections import RESULTS, sections_of, write_section

__all__ = ["Row", "gather", "main", "render"]

SECTION = "engine-status"
SERVED_MARGIN = 2.0
"""Percent above VROOM's weighted served value the target asks for."""
GAP_TARGETS = {"60x150": 5.0, "200x600": 8.0}
"""Percent bound gap the target allows, by round size (tight or normal alike)."""
_TITLE = "## The engine against VROOM on days that bind (issue 11), under the same objective"
_OURS = re.compile(r"matchmaker routing ([\d.]+) s")


@dataclass(frozen=True, kw_only=True)
class Row:
    """One comparison of matchmaker and a VROOM level, as a section printed it."""

    round: str
    instance_seed: int
    weights: str
    ours: str
    peer: str
    ours_weighted: str
    peer_weighted: str
    difference: str
    travel_ours: str
    travel_peer: str
    gap: str
    violations: str
    section: str

    @property
    def key(self) -> tuple[str, int, str, str, str]:
        return (self.round, self.instance_seed, self.weights, self.ours, self.peer)


def _number(cell: str) -> float | None:
    try:
        return float(cell.replace(",", "").rstrip("%"))
    except ValueError:
        return None


def _tables(text: str) -> list[list[dict[str, str]]]:
    """Every markdown table of ``text``, as rows keyed by the header's cells."""
    tables: list[list[dict[str, str]]] = []
    header: list[str] | None = None
    for line in text.splitlines():
        if not line.startswith("|"):
            header = None
            continue
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if header is None:
            header = cells
            tables.append([])
        elif not all(set(c) <= set("-: ") for c in cells):
            tables[-1].append(dict(zip(header, cells, strict=False)))
    return tables


def _rows(name: str, text: str) -> list[Row]:
    seed = re.search(r"--instance-seed (\d+)", text)
    instance_seed = int(seed.group(1)) if seed else INSTANCE_SEED
    tables = _tables(text)
    gaps = {
        (r["round"], r["weights"], r["solver"]): r["gap"]
        for table in tables
        for r in table
        if "gap" in r and "solver" in r
    }
    rows = []
    for table in tables:
        for r in table:
            if "difference" not in r:
                continue
            # Sections before the "matchmaker" column had one unpriced run a round.
            plain = (s for (n, w, s) in gaps if (n, w) == (r["round"], r["weights"]))
            ours = r.get("matchmaker") or next((s for s in plain if _OURS.fullmatch(s)), "")
            if not _OURS.fullmatch(ours):
                continue
            rows.append(
                Row(
                    round=r["round"],
                    instance_seed=instance_seed,
                    weights=r["weights"],
                    ours=ours,
                    peer=r["peer"],
                    ours_weighted=r["matchmaker weighted"],
                    peer_weighted=r["peer weighted"],
                    difference=r["difference"],
                    travel_ours=r["travel/served ours"],
                    travel_peer=r["travel/served peer"],
                    gap=gaps.get((r["round"], r["weights"], ours), "-"),
                    violations=r["violations ours / peer"],
                    section=name,
                )
            )
    return rows


def gather(text: str) -> list[Row]:
    """The latest row of each (round, instance seed, weights, limit, peer) in ``text``, in
    the order the rows first appear (module docstring)."""
    dated: list[tuple[str, int, str, str]] = []
    for order, section in enumerate(sections_of(text)):
        name = section.split(" -->", 1)[0].removeprefix("<!-- section ")
        if _TITLE not in section:
            continue
        started = re.search(r"^- started: (\S+)", section, re.MULTILINE)
        dated.append((started.group(1) if started else "", order, name, section))
    latest: dict[tuple[str, int, str, str, str], Row] = {}
    first: dict[tuple[str, int, str, str, str], int] = {}
    for _, _, name, section in sorted(dated):
        for row in _rows(name, section):
            first.setdefault(row.key, len(first))
            latest[row.key] = row
    return sorted(latest.values(), key=lambda row: first[row.key])


def _verdicts(row: Row) -> tuple[str, str, str]:
    difference = _number(row.difference)
    ours, peer = _number(row.travel_ours), _number(row.travel_peer)
    served = "-" if difference is None else ("met" if difference >= SERVED_MARGIN else "MISSED")
    travel = "-" if ours is None or peer is None else ("met" if ours <= peer else "MISSED")
    target = GAP_TARGETS.get(row.round.split("@", 1)[0])
    gap = _number(row.gap)
    bound = "-" if target is None or gap is None else ("met" if gap <= target else "MISSED")
    return served, travel, bound


def render(rows: list[Row], command: str) -> str:
    """The status section: one line a row, its verdicts, and how many each target missed."""
    table = []
    verdicts = []
    for row in rows:
        verdict = _verdicts(row)
        verdicts.append(verdict)
        seed = "" if row.instance_seed == INSTANCE_SEED else f" (instance seed {row.instance_seed})"
        table.append(
            [
                row.round + seed,
                row.weights,
                row.ours.removeprefix("matchmaker "),
                row.peer,
                f"{row.ours_weighted} / {row.peer_weighted}",
                row.difference,
                verdict[0],
                f"{row.travel_ours} / {row.travel_peer}",
                verdict[1],
                row.gap,
                verdict[2],
                row.violations,
                f"`{row.section}`",
            ]
        )
    counts = [
        f"{what}: {sum(v[i] == 'MISSED' for v in verdicts)} missed of "
        f"{sum(v[i] != '-' for v in verdicts)} judged"
        for i, what in enumerate(("served", "travel", "gap"))
    ]
    gaps = " and ".join(f"{v:g}% on {k.replace('x', ' x ')}" for k, v in GAP_TARGETS.items())
    header = [
        "round",
        "weights",
        "ours",
        "peer",
        "weighted served ours / peer",
        "difference",
        "served",
        "travel/served ours / peer",
        "travel",
        "gap",
        "bound",
        "violations ours / peer",
        "section",
    ]
    return "\n".join(
        [
            "## The engine against VROOM: where each target stands (issue 11)",
            "",
            f"- command: `{command}`",
            "- gathered from the `engine.py` sections of this file, not a new run: the latest "
            "run of each row (round, weights, our limit, VROOM level), under the same "
            "objective; each row's section names its machine, command and code. Targets: "
            "weighted served value "
            f"at least {SERVED_MARGIN:g}% above VROOM's (served), travel per served job at "
            f"most VROOM's (travel), bound gap at most {gaps} (bound; other rounds have no "
            "target).",
            f"- {'; '.join(counts)}",
            "",
            markdown_table(header, table),
        ]
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--results", type=Path, default=RESULTS)
    args = parser.parse_args(argv)
    rows = gather(args.results.read_text(encoding="utf-8"))
    command = "python benchmarks/engine_status.py " + " ".join(
        sys.argv[1:] if argv is None else argv
    )
    text = render(rows, command.strip())
    print(text)
    write_section(SECTION, text, args.results)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
