import { existsSync } from "node:fs";
import { open } from "node:fs/promises";
import { basename, isAbsolute, join } from "node:path";
import { UsageError } from "../errors.js";
import { runsGoTest } from "./adapters/go.js";
import { which } from "./tools.js";
import { LANGUAGES, type Language } from "./types.js";

const ALIASES: Record<string, Language> = {
  node: "node",
  nodejs: "node",
  js: "node",
  javascript: "node",
  ts: "node",
  typescript: "node",
  python: "python",
  py: "python",
  native: "native",
  c: "native",
  cpp: "native",
  "c++": "native",
  rust: "native",
  jvm: "jvm",
  java: "jvm",
  kotlin: "jvm",
  scala: "jvm",
  go: "go",
  golang: "go",
};

/** --language, with the usual names of each language accepted. */
export function parseLanguage(text: string): Language {
  const language = ALIASES[text.toLowerCase()];
  if (!language) {
    throw new UsageError(
      "bad-language",
      `--language must be one of ${LANGUAGES.join(", ")} (or c, cpp, rust, java, kotlin, python, js, ts), got '${text}'.`,
    );
  }
  return language;
}

const PROGRAMS: [RegExp, Language][] = [
  [/^(node|nodejs|npm|npx|pnpm|yarn|tsx|ts-node|vitest|jest|mocha|ava)$/, "node"],
  [/^(python[\d.]*|pypy[\d.]*|pytest|py\.test|uv|poetry|pipenv|hatch|tox|nox)$/, "python"],
  [/^(java|mvn|mvnw|gradle|gradlew|sbt|kotlin|scala|jbang|lein|clojure)$/, "jvm"],
  [/^go$/, "go"],
  [/^(cargo|rustc)$/, "native"],
];

/** Words a command starts with that only wrap the real program. */
const WRAPPERS = new Set(["env", "time", "nice", "exec", "command", "taskset", "stdbuf", "chrt"]);

/** The program a shell command runs: leading assignments, `cd x &&` and wrappers skipped. */
export function programOf(command: string): string | null {
  const last = command.split(/&&|;|\|\|/).map((part) => part.trim());
  const pick = last.find((part) => !/^cd\s/.test(part) && part !== "") ?? "";
  const words = pick.split(/\s+/).filter(Boolean);
  let i = 0;
  while (i < words.length) {
    const word = words[i] as string;
    if (/^[A-Za-z_][A-Za-z0-9_]*=/.test(word) || WRAPPERS.has(word)) i++;
    else if (word.startsWith("-") && i > 0 && WRAPPERS.has(words[i - 1] as string)) i++;
    else break;
  }
  const program = words[i];
  return program ? program.replace(/^["']|["']$/g, "") : null;
}

/**
 * Which language a command runs, from the program it starts (an interpreter or build tool, an
 * executable's ELF header or shebang) and failing that from the project's files.
 */
export async function detectLanguage(command: string, cwd: string): Promise<Language> {
  if (runsGoTest(command)) return "go";
  const program = programOf(command);
  if (program) {
    const byName = fromName(basename(program));
    if (byName) return byName;
    const path = isAbsolute(program)
      ? program
      : program.includes("/")
        ? join(cwd, program)
        : await which(program);
    if (path && existsSync(path)) {
      const byContent = await fromFile(path);
      if (byContent) return byContent;
    }
  }
  const byProject = fromProject(cwd);
  if (byProject) return byProject;
  throw new UsageError(
    "unknown-language",
    `cannot tell which language '${command}' runs (not node/npm/python/java/go, no ELF binary or shebang, no package.json, pyproject.toml, pom.xml, go.mod or Makefile here). Pass --language ${LANGUAGES.join("|")}.`,
  );
}

function fromName(name: string): Language | null {
  for (const [pattern, language] of PROGRAMS) if (pattern.test(name)) return language;
  if (/\.(m?js|cjs|ts|mts)$/.test(name)) return "node";
  if (/\.py$/.test(name)) return "python";
  if (/\.jar$/.test(name)) return "jvm";
  return null;
}

/** An ELF binary is native (Go's are too: perf reads them); a script goes by its shebang. */
async function fromFile(path: string): Promise<Language | null> {
  let head: Buffer;
  try {
    const handle = await open(path, "r");
    try {
      const buffer = Buffer.alloc(256);
      const { bytesRead } = await handle.read(buffer, 0, 256, 0);
      head = buffer.subarray(0, bytesRead);
    } finally {
      await handle.close();
    }
  } catch {
    return null;
  }
  if (head.subarray(0, 4).equals(Buffer.from([0x7f, 0x45, 0x4c, 0x46]))) return "native";
  const text = head.toString("utf8");
  if (text.startsWith("#!")) {
    const shebang = (text.split("\n")[0] as string).slice(2).trim().split(/\s+/);
    const interpreter = basename(shebang[0] ?? "");
    const named =
      interpreter === "env" ? shebang.find((w, i) => i > 0 && !w.startsWith("-")) : interpreter;
    return named ? fromName(basename(named)) : null;
  }
  return null;
}

function fromProject(cwd: string): Language | null {
  const has = (name: string) => existsSync(join(cwd, name));
  if (has("package.json")) return "node";
  if (["pyproject.toml", "setup.py", "setup.cfg", "requirements.txt"].some(has)) return "python";
  if (["pom.xml", "build.gradle", "build.gradle.kts", "build.sbt"].some(has)) return "jvm";
  if (has("go.mod")) return "go";
  if (["Cargo.toml", "CMakeLists.txt", "Makefile", "makefile", "meson.build"].some(has))
    return "native";
  return null;
}
