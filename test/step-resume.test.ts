import { existsSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { runCli } from "./helpers/cli.js";
import { HostRepo, valuePlan } from "./helpers/host.js";
import { startedOnce } from "./helpers/loop-repo.js";

let repo: HostRepo;
afterEach(() => repo?.remove());

/** The kills start from copies of one repository with its experiment and baseline. */
const started = startedOnce((from?: HostRepo) => new HostRepo(from), [], { fewRounds: true });

/** Each fault point and the step that crosses it, in groups of one repository each. */
const GROUPS = {
  "opening, planning and checking": [
    ["after-start", "next"],
    ["after-plan", "plan"],
    ["after-apply", "evaluate"],
    ["after-check", "evaluate"],
  ],
  "testing, measuring and deciding": [
    ["after-test", "evaluate"],
    ["after-measure", "evaluate"],
    ["after-decide", "evaluate"],
    ["after-artifacts", "evaluate"],
  ],
  committing: [
    ["after-attempt-commit", "evaluate"],
    ["after-commits", "evaluate"],
    ["after-iteration", "evaluate"],
  ],
} as const;

/** Kills that came after the decision: the evaluation is completed, never measured again. */
const AFTER_DECISION = /after-(decide|artifacts|attempt-commit|commits|iteration)/;

describe("a host killed between steps, or a step killed mid-way, continues", () => {
  it.each(Object.entries(GROUPS))(
    "kill -9 while %s: each iteration ends as if nothing happened",
    async (_, kills) => {
      repo = started();
      for (const [index, [point, killed]] of kills.entries()) {
        const n = index + 1;
        const fault = { AUTO_OPTIMIZE_FAULT: `${point}@${n}` };
        const value = `${100 - 5 * n}\n`;
        const run = async (args: string[]) => {
          if (args[0] !== killed) return repo.ok(args);
          const result = await repo.step(args, fault);
          expect(result.signal, `${point}: ${result.stderr}`).toBe("SIGKILL");
          return null;
        };

        if ((await run(["next"])) === null) {
          // A new host asks again: the same iteration, the same brief.
          const again = await repo.ok<{ iteration: number; resumed: boolean }>(["next"]);
          expect(again).toMatchObject({ iteration: n, resumed: true });
        }
        if ((await run(repo.planArgs(valuePlan(n)))) === null) {
          const status = await repo.ok<{ host: { expected: string } }>(["status"]);
          expect(status.host.expected).toBe("evaluate");
        }
        repo.write({ "src/value.txt": value });
        let evaluated = await run(["evaluate"]);
        if (evaluated === null) {
          const status = await repo.ok<{ host: { interrupted: boolean } }>(["status"]);
          expect(status.host.interrupted, point).toBe(point !== "after-iteration");
          const again = await repo.ok(["evaluate"]);
          const replayed = AFTER_DECISION.test(point);
          expect(again, point).toMatchObject({ decision: "keep", replayed });
          if (!replayed) expect(String(again.recovered)).toMatch(/interrupted .* rolled back/);
          evaluated = again;
        }
        expect(evaluated, point).toMatchObject({ decision: "keep", iteration: n });
        await repo.ok(repo.reflectArgs(`Iteration ${n} lowered the value to ${value.trim()}.`));
        expect(repo.file("src/value.txt"), point).toBe(value);
        expect(repo.git("status", "--porcelain"), point).toBe("");
      }

      const id = "exp-001";
      expect(repo.decisions()).toEqual(kills.map((_, i) => `${i + 1}:keep`));
      expect(repo.subjects()).toEqual([
        `experiment(${id}): plan`,
        `experiment(${id}): baseline`,
        ...kills.flatMap((_, i) => {
          const tag = `experiment(${id}/iter-${String(i + 1).padStart(3, "0")}):`;
          return [`${tag} ${valuePlan(i + 1).strategy}`, `${tag} reflexion`];
        }),
      ]);
      const ledger = repo.ledger();
      const rolledBack = kills.filter(
        ([p, step]) => step === "evaluate" && !AFTER_DECISION.test(p),
      );
      expect(ledger.filter((e) => e.type === "evaluation-interrupted")).toHaveLength(
        rolledBack.length,
      );
      // One measurement per iteration whose kill came after it was decided: no re-roll.
      for (const [index, [point]] of kills.entries()) {
        const measured = ledger.filter((e) => e.type === "measured" && e.iteration === index + 1);
        if (AFTER_DECISION.test(point)) expect(measured, point).toHaveLength(1);
      }
      expect(ledger.filter((e) => e.type === "iteration-abandoned")).toHaveLength(0);
      // Every iteration's folder holds its artifacts, and nothing else was left behind.
      const folders = readdirSync(join(repo.experimentDir(), "iterations"));
      expect(folders).toHaveLength(kills.length);
      for (const folder of folders) {
        for (const file of ["plan.json", "plan.md", "summary.md", "result.json", "reflexion.md"]) {
          expect(existsSync(join(repo.experimentDir(), "iterations", folder, file))).toBe(true);
        }
      }
    },
  );

  it("finishes an iteration of an interrupted 'auto-optimize run' before the host takes over", async () => {
    repo = started();
    const killed = await repo.run(["keep"], [], { AUTO_OPTIMIZE_FAULT: "after-attempt-commit@1" });
    expect(killed.signal).toBe("SIGKILL");
    const next = await repo.ok<{ iteration: number; recovered: string }>(["next"]);
    expect(next.recovered).toMatch(
      /iteration 1 of an interrupted 'auto-optimize run' was finished/,
    );
    expect(next.iteration).toBe(2);
    expect(repo.decisions()).toEqual(["1:keep"]);
    expect(repo.file("src/value.txt")).toBe("80\n");
  });

  it("Ctrl-C during step evaluate rolls the evaluation back with the edits kept; evaluating again decides", async () => {
    repo = new HostRepo();
    await repo.start(["--test", "sleep 2; sh test/check.sh"], { fewRounds: true });
    await repo.ok(["next"]);
    await repo.ok(repo.planArgs(valuePlan(1)));
    repo.write({ "src/value.txt": "80\n" });
    let sent = false;
    const interrupted = await runCli(["step", "evaluate"], repo.dir, {
      onStderr: (text, child) => {
        if (sent || !text.includes("testing")) return;
        sent = true;
        // Once the test command runs (it sleeps 2 s first): Ctrl-C kills it mid-way.
        setTimeout(() => child.kill("SIGINT"), 700);
      },
    });
    expect(sent).toBe(true);
    expect(interrupted.code, interrupted.stderr).toBe(130);
    expect(repo.file("src/value.txt")).toBe("80\n");
    const ledger = repo.ledger();
    expect(ledger.some((e) => e.type === "evaluation-interrupted")).toBe(true);
    // A test run Ctrl-C killed is no failure of the edits: no attempt was spent on it.
    expect(
      ledger.filter((e) => e.type === "tested" && !e.ok),
      interrupted.stderr,
    ).toEqual([]);
    const status = await repo.ok<{ host: { expected: string; interrupted: boolean } }>(["status"]);
    expect(status.host).toMatchObject({ expected: "evaluate", interrupted: false });
    expect(await repo.ok(["evaluate"])).toMatchObject({ decision: "keep", iteration: 1 });
  });
});
