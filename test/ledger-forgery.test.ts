import { appendFileSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { runCli } from "./helpers/cli.js";
import { HostRepo, valuePlan } from "./helpers/host.js";

/** Baseline locked, iteration 1 kept (value 100 → 80) and reflected: each case starts from a copy. */
let source: HostRepo;
let copies: HostRepo[] = [];

beforeAll(async () => {
  source = new HostRepo();
  await source.start();
  expect((await source.iteration(1, { "src/value.txt": "80\n" })).decision).toBe("keep");
  await source.ok(source.reflectArgs());
  // A copy of a repository with a registered worktree would share that worktree by path: the
  // best's worktree goes (the next step checks it out again).
  for (const line of source.git("worktree", "list", "--porcelain").split("\n").slice(1)) {
    if (line.startsWith("worktree ")) source.git("worktree", "remove", "--force", line.slice(9));
  }
  expect(source.worktreeCount()).toBe(1);
  expect(source.git("status", "--porcelain")).toBe("");
});

afterEach(() => {
  for (const copy of copies) copy.remove();
  copies = [];
});

afterAll(() => source?.remove());

function copyOfSource(): HostRepo {
  const copy = new HostRepo(source);
  copies.push(copy);
  return copy;
}

function ledgerPath(repo: HostRepo): string {
  return join(repo.experimentDir(), "ledger.jsonl");
}

function ledgerLines(repo: HostRepo): string[] {
  return readFileSync(ledgerPath(repo), "utf8").split("\n").filter(Boolean);
}

/** A step or command refused as bad input (`phrase` in its message), leaving HEAD where it was. */
async function refused(repo: HostRepo, args: string[], phrase: string): Promise<string> {
  const head = repo.git("rev-parse", "HEAD");
  const result = await runCli(args, repo.dir);
  expect(result.stderr).not.toMatch(/unexpected failure/);
  expect(result.code, result.stderr).toBe(2);
  expect(result.stderr).toContain(phrase);
  expect(repo.git("rev-parse", "HEAD")).toBe(head);
  return result.stderr;
}

describe("a ledger nobody can forge (issue 12, item 7)", () => {
  it("refuses measured/decided/committed lines the host appended after committing code itself", async () => {
    const repo = copyOfSource();
    await repo.ok(["next"]);
    await repo.ok(repo.planArgs(valuePlan(2)));
    repo.write({ "src/value.txt": "10\n" });
    repo.git("commit", "--quiet", "-m", "experiment(exp-001/iter-002): forged", "--", "src");
    const forged = repo.git("rev-parse", "HEAD");
    const seq = ledgerLines(repo).length;
    const at = new Date().toISOString();
    const events = [
      {
        type: "measured",
        iteration: 2,
        verdict: "improved",
        improvement: 0.875,
        ci: [0.8, 0.9],
        rounds: 5,
        value: 10,
        bestValue: 80,
      },
      { type: "decided", iteration: 2, decision: "keep", reason: "improved: +87.50%" },
      { type: "committed", iteration: 2, decision: "keep", commits: [forged], best: forged },
    ];
    appendFileSync(
      ledgerPath(repo),
      events.map((e, i) => `${JSON.stringify({ ...e, seq: seq + 1 + i, at })}\n`).join(""),
    );

    const reflect = await refused(repo, ["step", ...repo.reflectArgs()], "The way back");
    expect(reflect).toContain(`ledger.jsonl line ${seq + 1} has no 'prev' hash`);
    expect(reflect).toContain("git checkout HEAD -- ");
    await refused(repo, ["status"], "The way back");
    await refused(repo, ["report", "--no-remeasure"], "The way back");

    // Copying a real line's prev does not help: the chain names the line that does not follow.
    const real = ledgerLines(repo).slice(0, seq);
    const copiedPrev = JSON.parse(real.at(-1) as string).prev as string;
    writeFileSync(
      ledgerPath(repo),
      `${[...real, ...events.map((e, i) => JSON.stringify({ ...e, seq: seq + 1 + i, at, prev: copiedPrev }))].join("\n")}\n`,
    );
    const chained = await refused(repo, ["step", "status"], "The way back");
    expect(chained).toContain(`line ${seq + 1} does not follow line ${seq}`);
  });

  it("refuses an edited earlier line, and a ledger downgraded by deleting its hashes", async () => {
    const repo = copyOfSource();
    const lines = ledgerLines(repo);
    const measured = lines.findIndex((l) => l.includes('"type":"measured"'));
    const edited = [...lines];
    edited[measured] = (edited[measured] as string).replace(
      /"improvement":[^,]+/,
      '"improvement":0.95',
    );
    writeFileSync(ledgerPath(repo), `${edited.join("\n")}\n`);
    const message = await refused(repo, ["step", "next"], "The way back");
    expect(message).toContain(`line ${measured + 2} does not follow line ${measured + 1}`);

    const legacy = lines.map((l) => {
      const { prev: _prev, ...rest } = JSON.parse(l);
      return JSON.stringify(rest);
    });
    writeFileSync(ledgerPath(repo), `${legacy.join("\n")}\n`);
    await refused(repo, ["step", "next"], "no longer starts with its committed lines");
    await refused(repo, ["status"], "recorded lines were changed");
    // Committing the downgrade does not launder it: earlier commits recorded the chained lines.
    const known = repo.git("rev-parse", "HEAD");
    repo.git("commit", "--quiet", "-am", "strip the hashes");
    const message2 = await refused(repo, ["status"], "rewrites lines");
    expect(message2).toContain(`git reset --hard ${known.slice(0, 12)}`);
  });

  it("refuses a commit made on the experiment branch outside the tool, and the way back it names works", async () => {
    const repo = copyOfSource();
    const known = repo.git("rev-parse", "HEAD");
    repo.git("commit", "--quiet", "-m", "tweak by hand", "--allow-empty");
    const empty = repo.git("rev-parse", "HEAD");
    const first = await refused(repo, ["step", "next"], "it was not made by auto-optimize");
    expect(first).toContain(`commit ${empty.slice(0, 12)} (tweak by hand)`);
    expect(first).toContain("records no step in the ledger");

    repo.git("reset", "--quiet", "--hard", known);
    repo.write({ "src/value.txt": "5\n" });
    repo.git("commit", "--quiet", "-am", "faster by hand");
    const code = repo.git("rev-parse", "HEAD");
    const message = await refused(repo, ["step", "next"], "it was not made by auto-optimize");
    expect(message).toContain(`commit ${code.slice(0, 12)} (faster by hand)`);
    expect(message).toContain("changes src/value.txt");
    expect(message).toContain(`git reset --hard ${known.slice(0, 12)}`);
    await refused(repo, ["status"], "it was not made by auto-optimize");

    repo.git("reset", "--quiet", "--hard", known.slice(0, 12));
    expect((await repo.ok<{ iteration: number }>(["next"])).iteration).toBe(2);
  });

  it("reflect commits the reflexion and nothing else: an edit to the iteration's summary.md is refused, nothing committed", async () => {
    const repo = copyOfSource();
    expect((await repo.iteration(2, { "src/value.txt": "90\n" })).decision).not.toBe("keep");
    const planned = repo.ledger().filter((e) => e.type === "planned");
    const folderOf = (n: number) => (planned[n - 1] as { folder: string }).folder;
    const experimentPath = repo.experimentDir().slice(repo.dir.length + 1);
    const summary = join(repo.experimentDir(), "iterations", folderOf(1), "summary.md");
    writeFileSync(summary, `${readFileSync(summary, "utf8")}\nKept at +99%.\n`);
    const relative = summary.slice(repo.dir.length + 1);
    const message = await refused(repo, ["step", ...repo.reflectArgs()], "changed outside it");
    expect(message).toContain(relative);
    expect(message).toContain(`git checkout -- ${relative}`);
    expect(repo.ledger().at(-1)?.type).toBe("committed");

    repo.git("checkout", "--", relative);
    const reflected = await repo.ok<{ commit: string }>(repo.reflectArgs());
    const files = repo.git("show", "--name-only", "--format=", reflected.commit).split("\n");
    expect(files.sort()).toEqual([
      `${experimentPath}/iterations/${folderOf(2)}/reflexion.md`,
      `${experimentPath}/ledger.jsonl`,
    ]);
  });
});
