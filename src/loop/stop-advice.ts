import { stopKind } from "./stop-reason.js";

/**
 * Who would go on: the autonomous loop (`run`), a host through the shell (`cli`) or MCP (`mcp`),
 * or a host whose interface is not known (`host`, in a file such as the report: both named).
 */
export type Driver = "run" | "cli" | "mcp" | "host";

const PAST_TARGET: Record<Driver, string> = {
  run: "`auto-optimize run --continue-after-target` goes on past it",
  cli: "`auto-optimize step next --continue-after-target` opens another iteration past it",
  mcp: "the next_iteration tool with continueAfterTarget: true opens another iteration past it",
  host: "`auto-optimize step next --continue-after-target` (over MCP: next_iteration with continueAfterTarget: true) opens another iteration past it",
};

const NEW_EXPERIMENT = "start a new experiment from the best (`auto-optimize init --new`)";

/**
 * How to go on deliberately after the experiment stopped for `reason`, in the words of the one who
 * drives it: nothing goes on by itself once a stop condition holds.
 */
export function continueAdvice(reason: string, driver: Driver): string {
  switch (stopKind(reason)) {
    case "target":
      return `${PAST_TARGET[driver]} (the iteration budget still applies), or, for a more ambitious target, ${NEW_EXPERIMENT.replace("--new", "--new --target …")}`;
    case "budget":
      return driver === "run"
        ? "`auto-optimize run --iterations N`, with N above the budget spent, continues from the ledger"
        : `host mode stops at the experiment's iteration budget: \`auto-optimize run --iterations N\` (N above it) goes on with an agent of the tool, or ${NEW_EXPERIMENT}`;
    case "patience":
      return `the patience is part of the experiment's definition: ${NEW_EXPERIMENT}, with a different kind of change`;
    case "time":
      return "`auto-optimize run` with a larger --max-minutes continues from the ledger";
    case "cost":
      return "`auto-optimize run` with a larger --max-cost continues from the ledger";
    case "other":
      return driver === "run"
        ? "`auto-optimize run` continues from the ledger"
        : `${driver === "mcp" ? "the next_iteration tool" : "`auto-optimize step next`"} continues from the ledger`;
  }
}
