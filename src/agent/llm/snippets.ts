import { existsSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { globMatcher, listFiles } from "../../workspace/files.js";
import type { IterationContext } from "../types.js";

const BUDGET = 16_000;
const AROUND = 15;

/**
 * The code the planner sees: the list of files in scope and snippets of the hot code — the lines
 * around each `file:line` the profile names, or the head of a file it names — read from the
 * candidate worktree. Without a profile that names files, the smallest files in scope, whole.
 */
export async function codeContext(context: IterationContext): Promise<string> {
  const inScope = globMatcher(context.experiment.scope);
  const files = (await listFiles(context.worktree)).filter(inScope);
  const lines = [
    "## Files in scope",
    "",
    ...files.slice(0, 200).map((f) => `- ${f}`),
    ...(files.length > 200 ? [`- … and ${files.length - 200} more`] : []),
    "",
  ];
  const hot = hotLocations(context.hotspots ?? "", files);
  let budget = BUDGET;
  const snippets: string[] = [];
  if (hot.size > 0) {
    for (const [file, at] of hot) {
      const text = readSmall(join(context.worktree, file));
      if (text === null) continue;
      const snippet = excerpt(text, [...at]);
      const block = `### ${file}\n\n\`\`\`\n${snippet}\n\`\`\`\n`;
      if (block.length > budget) break;
      budget -= block.length;
      snippets.push(block);
    }
  } else {
    const sized = files
      .map((f) => ({ f, text: readSmall(join(context.worktree, f)) }))
      .filter((x): x is { f: string; text: string } => x.text !== null)
      .sort((a, b) => a.text.length - b.text.length);
    for (const { f, text } of sized) {
      const block = `### ${f}\n\n\`\`\`\n${text.trimEnd()}\n\`\`\`\n`;
      if (block.length > budget) break;
      budget -= block.length;
      snippets.push(block);
    }
  }
  if (snippets.length) {
    lines.push(
      hot.size > 0 ? "## Hot code (from the profile)" : "## Code in scope",
      "",
      ...snippets,
    );
  }
  return lines.join("\n");
}

/** Files in scope the profile names, with the line numbers it gives (empty: the whole head). */
function hotLocations(hotspots: string, files: string[]): Map<string, Set<number>> {
  const found = new Map<string, Set<number>>();
  if (!hotspots) return found;
  const pattern = /([\w@.+\-/\\]+\.[A-Za-z0-9]+)(?::(\d+))?/g;
  for (const match of hotspots.matchAll(pattern)) {
    const name = (match[1] as string).replace(/\\/g, "/");
    const file = files.find((f) => f === name || name.endsWith(`/${f}`) || f.endsWith(`/${name}`));
    if (!file) continue;
    const set = found.get(file) ?? new Set<number>();
    if (match[2]) set.add(Number(match[2]));
    found.set(file, set);
  }
  return found;
}

function readSmall(path: string): string | null {
  if (!existsSync(path) || !statSync(path).isFile() || statSync(path).size > 200_000) return null;
  const text = readFileSync(path, "utf8");
  return text.includes("\0") ? null : text;
}

/** Numbered lines around each hot line (merged), or the first 120 lines. */
function excerpt(text: string, at: number[]): string {
  const all = text.split("\n");
  const ranges: [number, number][] = (at.length ? at : [1 + AROUND])
    .sort((a, b) => a - b)
    .map((n) => [Math.max(1, n - AROUND), Math.min(all.length, n + AROUND)]);
  if (at.length === 0) ranges[0] = [1, Math.min(all.length, 120)];
  const merged: [number, number][] = [];
  for (const range of ranges) {
    const last = merged.at(-1);
    if (last && range[0] <= last[1] + 1) last[1] = Math.max(last[1], range[1]);
    else merged.push(range);
  }
  return merged
    .map(([from, to]) =>
      all
        .slice(from - 1, to)
        .map((line, i) => `${String(from + i).padStart(5)}  ${line}`)
        .join("\n"),
    )
    .join("\n     …\n");
}
