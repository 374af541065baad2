"""The words of the live commands: a recommended option's sentence (``option.*``),
``matchmaker explain --worker`` (``worker.*``), and why a job has no option (``live.*``),
in every language of :data:`matchmaker.plan.MESSAGES`, which holds them beside the rest.

The English templates are the sentences those commands have always written.
"""

from __future__ import annotations

__all__ = ["LIVE_EN", "LIVE_ZH"]

LIVE_EN: dict[str, str] = {
    # one recommended option (live/_words.py)
    "option.sentence": "{who} can start {at}, adding {minutes} travel minutes; match score "
    "{score} (best parts: {parts})",
    "option.breaks": "; breaks {breaks}",
    "option.nothing_moves": "; nothing planned moves.",
    "option.moves": "; moves {n} planned job(s): {moves}.",
    "option.move": "{job} {before} -> {after}",
    "option.move_to": "{job} {before} -> {worker} {after}",
    # why not this worker (live/_why.py)
    "worker.line": "Job {job_id}, worker {worker_id}: {detail}",
    "worker.objective": "Objective change: {delta}",
    "worker.move": "  moves {job}: {before} -> {after}",
    "worker.drops": "  drops {jobs}",
    "worker.serves": "already serves the job",
    "worker.ineligible": "fails {rules}: {sentences}",
    "worker.taking_from": "taking it from {others}: {option}",
    "worker.limited": "eligible, and the job fits in their day, but {limited}",
    "worker.no_room_limited": "eligible, but even without the jobs around it {limited}",
    "worker.no_room": "eligible, but their day has no room for it even without the jobs around it",
    "worker.must_drop": "eligible, but they would have to drop {n} planned job(s) around "
    "the job's window: {jobs}",
    "worker.breaks_only": "eligible, but the job fits in their day only without {breaks} "
    "(reason code {code})",
    "worker.breaks_then": "the job fits in their day only without {breaks} (reason code "
    "{code}); {detail}",
    "worker.their_breaks": "their break {rules}",
    "worker.break_rule": "{name} ({length} minutes starting {window})",
    "live.limited": "every place found would break a limit across days, the customer's "
    "continuity cap or a linked visit (max_week_minutes, min_rest_minutes, "
    "max_consecutive_days, max_distinct_workers, linked_visits)",
    # why a job has no option (live/_recommend.py), and the commands' lines around it
    "live.follows": "it follows {leader}, which the plan does not serve: serve that visit first",
    "live.breaks_only": "the job fits in a worker's day only without their break "
    "([[breaks]]; reason code {code}){more}",
    "live.too_few": "{eligible} worker(s) eligible, {team} needed: ask `explain` which hard "
    "rules keep the others out",
    "live.no_room": "no eligible worker has room for it in the plan{more}",
    "live.allow_moves": "; allow moves (--max-moves) or re-plan",
    "live.no_option": "No option for {job}: {note}",
    "live.no_slot": "No bookable window: no worker has room on those days.",
}

LIVE_ZH: dict[str, str] = {
    "option.sentence": "{who} 可在 {at} 开始，增加路程 {minutes} 分钟；匹配分 {score}"
    "（主要得分：{parts}）",
    "option.breaks": "；休息 {breaks}",
    "option.nothing_moves": "；不调动已排工单。",
    "option.moves": "；调动 {n} 个已排工单：{moves}。",
    "option.move": "{job} {before} -> {after}",
    "option.move_to": "{job} {before} -> {worker} {after}",
    "worker.line": "工单 {job_id}，服务师 {worker_id}：{detail}",
    "worker.objective": "目标值变化：{delta}",
    "worker.move": "  调动 {job}：{before} -> {after}",
    "worker.drops": "  取消 {jobs}",
    "worker.serves": "已在服务该工单",
    "worker.ineligible": "不符合 {rules}：{sentences}",
    "worker.taking_from": "从 {others} 手中接过：{option}",
    "worker.limited": "符合条件，当天也排得下，但{limited}",
    "worker.no_room_limited": "符合条件，但即使去掉附近的工单，{limited}",
    "worker.no_room": "符合条件，但即使去掉附近的工单，当天也排不下",
    "worker.must_drop": "符合条件，但需要取消时间窗附近的 {n} 个已排工单：{jobs}",
    "worker.breaks_only": "符合条件，但只有不安排{breaks}才排得下（原因代码 {code}）",
    "worker.breaks_then": "只有不安排{breaks}才排得下（原因代码 {code}）；{detail}",
    "worker.their_breaks": "其休息 {rules}",
    "worker.break_rule": "{name}（{length} 分钟，{window} 之间开始）",
    "live.limited": "找到的每个位置都会违反跨天限制、客户的服务师人数上限或关联上门"
    "（max_week_minutes、min_rest_minutes、max_consecutive_days、max_distinct_workers、"
    "linked_visits）",
    "live.follows": "它接在 {leader} 之后，而计划未安排 {leader}：请先安排那次上门",
    "live.breaks_only": "只有不安排服务师的休息才排得下（[[breaks]]；原因代码 {code}）{more}",
    "live.too_few": "{eligible} 名服务师符合条件，需要 {team} 名：可用 `explain` 查看哪些硬性规则"
    "排除了其他人",
    "live.no_room": "计划中没有符合条件的服务师排得下它{more}",
    "live.allow_moves": "；可允许调动（--max-moves）或重新排班",
    "live.no_option": "{job} 没有可选方案：{note}",
    "live.no_slot": "没有可预约的时段：这些天没有服务师排得下。",
}
