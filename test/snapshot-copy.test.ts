import {
  chmodSync,
  existsSync,
  lstatSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  readlinkSync,
  rmSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { copyPaths } from "../src/workspace/snapshot.js";

/** copyPaths makes a host's checked files in the candidate worktree what they are in the main tree. */

const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

function tree(files: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), "auto-optimize-copy-"));
  dirs.push(dir);
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(join(dir, path, ".."), { recursive: true });
    writeFileSync(join(dir, path), text);
  }
  return dir;
}

describe("copyPaths", () => {
  it("copies contents and modes, keeps symlinks as links, removes what the source lost", async () => {
    const from = tree({ "src/a.txt": "new\n", "src/run.sh": "echo hi\n", "src/fast.txt": "80\n" });
    symlinkSync("fast.txt", join(from, "src/value.txt"));
    const to = tree({ "src/a.txt": "old\n", "src/gone.txt": "x\n", "src/value.txt": "100\n" });
    chmodSync(join(from, "src/run.sh"), 0o755);

    await copyPaths(from, to, [
      "src/a.txt",
      "src/fast.txt",
      "src/gone.txt",
      "src/run.sh",
      "src/value.txt",
    ]);

    expect(readFileSync(join(to, "src/a.txt"), "utf8")).toBe("new\n");
    expect(existsSync(join(to, "src/gone.txt"))).toBe(false);
    expect(statSync(join(to, "src/run.sh")).mode & 0o777).toBe(0o755);
    expect(lstatSync(join(to, "src/value.txt")).isSymbolicLink()).toBe(true);
    expect(readlinkSync(join(to, "src/value.txt"))).toBe("fast.txt");
  });

  it("replaces a file by a folder of the same name, and a folder by a file", async () => {
    const from = tree({ "lib/index.txt": "a folder now\n", conf: "a file now\n" });
    const to = tree({ lib: "a file before\n", "conf/x.txt": "a folder before\n" });
    await copyPaths(from, to, ["conf", "conf/x.txt", "lib", "lib/index.txt"]);
    expect(readFileSync(join(to, "lib/index.txt"), "utf8")).toBe("a folder now\n");
    expect(readFileSync(join(to, "conf"), "utf8")).toBe("a file now\n");
  });
});
