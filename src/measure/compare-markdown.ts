import {
  behaviourLine,
  COMPARE_TABLE_HEADER,
  type CompareReport,
  compareTableRows,
  range,
  roundsSummary,
  signedPercent,
} from "./compare-report.js";

/** A table cell: a `|` would end the cell, a line break the row. */
const cell = (text: string): string => text.replace(/\|/g, "\\|").replace(/\s*\n\s*/g, " ");

/** Inline code that survives backticks inside: the fence is one longer than the longest run. */
function code(text: string): string {
  const longest = Math.max(0, ...(text.match(/`+/g) ?? []).map((run) => run.length));
  const fence = "`".repeat(longest + 1);
  const pad = text.startsWith("`") || text.endsWith("`") ? " " : "";
  return `${fence}${pad}${text}${pad}${fence}`;
}

/** A revision by name and short commit; a revision given as a hash (CI's SHAs) by the short commit. */
function revision(arm: CompareReport["a"]): string {
  const short = arm.commit.slice(0, 10);
  return arm.commit.startsWith(arm.revision) ? code(short) : `${code(arm.revision)} (${short})`;
}

/**
 * `compare --markdown`: the verdict, one row per scenario, counter and peak memory, the rounds,
 * why it stopped, the behaviour check and the seed that replays it, for a CI step summary or a
 * pull-request comment.
 */
export function formatCompareMarkdown(report: CompareReport): string {
  const row = (cells: string[]) => `| ${cells.map(cell).join(" | ")} |`;
  const lines = [
    `### compare: **${report.verdict}** ${signedPercent(report.improvement)} ${range(report.ci)}`,
    "",
    `A ${revision(report.a)} → B ${revision(report.b)}, bench ${code(report.bench)}`,
    "",
    row(COMPARE_TABLE_HEADER),
    row(COMPARE_TABLE_HEADER.map(() => "---")),
    ...compareTableRows(report).map(row),
    "",
    `- ${roundsSummary(report)}; δ = ${(100 * report.delta).toFixed(2)}%; replay with ${code(`--seed ${report.seed}`)}`,
    ...report.vetoes.map((v) => `- veto: ${v}`),
    ...(report.memory ? [] : [`- ${report.memoryNote}`]),
    `- ${behaviourLine(report.behaviour)}`,
  ];
  return lines.join("\n");
}
