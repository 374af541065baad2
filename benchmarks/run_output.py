"""The markdown and JSON of a benchmark run (:mod:`benchmarks.run`)."""

from __future__ import annotations

from typing import Any

from benchmarks.run_report import (
    TABLE_HEADER,
    Report,
    count,
    evaluate_targets,
    is_measured,
    number,
    per_second,
    table_rows,
)

__all__ = ["markdown_table", "render_markdown", "to_json"]


# --- output ----------------------------------------------------------------------------


def markdown_table(header: tuple[str, ...] | list[str], rows: list[list[str]]) -> str:
    def line(cells: list[str] | tuple[str, ...]) -> str:
        return "| " + " | ".join(c.replace("|", "/") for c in cells) + " |"

    return "\n".join([line(header), line(["---"] * len(header)), *(line(r) for r in rows)])


def _pipeline_rows(report: Report) -> list[list[str]]:
    greedy = {r["instance"]: r for r in report.runs if r["solver"] == "greedy" and is_measured(r)}
    rows: list[list[str]] = []
    for p in report.pipeline:
        run = greedy.get(p["instance"])
        rows.append(
            [
                p["instance"],
                count(p.get("pairs")),
                number(p.get("load_seconds"), 2),
                number(p.get("compile_seconds"), 2),
                per_second(p.get("eligibility_rules_pairs_per_second")),
                per_second(p.get("eligibility_pairs_per_second")),
                number(run["solve_seconds"], 2) if run else "-",
                number(p.get("peak_mb"), 0),
            ]
        )
    return rows


def render_markdown(report: Report) -> str:
    """RESULTS.md: machine, command, table, pipeline figures, targets and notes."""
    config, machine = report.config, report.machine
    title = (
        "# Benchmark smoke run (`--quick`): indicative only"
        if config.quick
        else "# Benchmark results"
    )
    packages = ", ".join(f"{k} {v}" for k, v in machine["packages"].items())
    parts = [
        title,
        "",
        f"- started: {report.started}, took {report.seconds:.0f} s",
        f"- machine: {machine['cpu_model']}, {machine['cores']} cores, "
        f"{machine['memory_gb']} GB; load average at start {machine['load_average']}",
        f"- {machine['platform']}; Python {machine['python']}; {packages}",
        f"- command: `{config.command}`",
        f"- instances: generated one-day rounds, seed {config.instance_seed}; solver seed "
        f"{config.seed}; VROOM exploration level {config.vroom_level}, "
        f"{config.vroom_threads} threads, timeout {config.vroom_timeout:g} s",
        "",
        "## Results",
        "",
        markdown_table(TABLE_HEADER, table_rows(report)),
        "",
        "## Pipeline figures (issue 3)",
        "",
        markdown_table(
            [
                "instance",
                "worker-job pairs",
                "load s",
                "compile s",
                "pair rules",
                "eligibility step",
                "greedy s",
                "peak MB",
            ],
            _pipeline_rows(report),
        ),
        "",
        "## Targets",
        "",
        markdown_table(
            ["target", "instance", "measured", "threshold", "verdict"],
            [
                [t.name, t.instance, t.measured, t.threshold, t.verdict]
                for t in evaluate_targets(report)
            ],
        ),
        "",
        "## Notes",
        "",
        "- Verdicts are computed from the records above, not typed in; `not run` means the "
        "run the target needs was not part of this invocation; `invalid` means a lower bound "
        "exceeds the objective of a plan `verify` found clean, so it is no bound (its gaps "
        "are not shown).",
        "- Every plan went through `build_plan` and `verify`; `violations` counts what "
        "`verify` found. `served` counts a job only when all the workers it needs serve it, "
        "starting together; `priority served` sums the priorities (1-5) of served jobs.",
        "- VROOM cannot synchronise team jobs: a job needing n workers is given to it as n "
        "single visits, so its plans can staff a team partially or start members at "
        "different times. `verify` reports both, and such a job does not count as served "
        "(its travel still counts: the plan spends it). VROOM ignores match "
        "scores (it has no vehicle-job costs) and gets priorities as the policy's weights "
        "scaled to 1-99 (compressed further when the round has pins, which get 100). "
        "The objective charges the drop penalty of a partially staffed team job too.",
        "- VROOM's timeout does not cover its construction heuristics, so its wall time can "
        "exceed its limit on large rounds; it runs only up to `--vroom-max-jobs` jobs.",
        "- Peak MB is the child process's maximum resident set size as the kernel reports it "
        "(`os.wait4`): it covers load, compile, solve, plan and verify of that one run.",
        "- Eligibility throughput: `pair rules` times every pair-only rule on an encoded "
        "dataset (`pair_reasons`); `eligibility step` adds encoding, the shift fit and the "
        "`eligible` matrix. Small rounds understate both (fixed costs dominate).",
        "- `wall s` is the solve call alone; `gap` is the objective's distance above the "
        "best CP-SAT lower bound of the instance.",
        "- Figures from a shared or busy machine are indicative only.",
        "",
    ]
    return "\n".join(parts)


def to_json(report: Report) -> dict[str, Any]:
    config = report.config
    return {
        "started": report.started,
        "seconds": report.seconds,
        "machine": report.machine,
        "config": {
            "sizes": [s.name for s in config.sizes],
            "datasets": [str(p) for p in config.datasets],
            "limits": list(config.limits),
            "solvers": list(config.solvers),
            "cpsat_limit": config.cpsat_limit,
            "cpsat_max_jobs": config.cpsat_max_jobs,
            "vroom_timeout": config.vroom_timeout,
            "vroom_level": config.vroom_level,
            "vroom_threads": config.vroom_threads,
            "vroom_max_jobs": config.vroom_max_jobs,
            "seed": config.seed,
            "instance_seed": config.instance_seed,
            "quick": config.quick,
            "command": config.command,
        },
        "runs": report.runs,
        "pipeline": report.pipeline,
        "targets": [t.__dict__ for t in evaluate_targets(report)],
    }
