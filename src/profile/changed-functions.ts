/** A function a diff touches: its name and the file it is in. */
export interface ChangedFunction {
  file: string;
  name: string;
  /** Defined only on added lines: it did not exist before the change. */
  added: boolean;
  /** Defined only on removed lines: the change deletes it. */
  deleted: boolean;
  /**
   * Its lines before the change that the diff shows up to its last change (context and removed;
   * the context after the last change may be past its end), numbered as before the change.
   */
  oldLines: number[];
}

const SOURCE =
  /\.(c|cc|cpp|cxx|h|hh|hpp|hxx|rs|go|java|kt|scala|cs|js|jsx|mjs|cjs|ts|tsx|mts|cts|py|rb|swift|m|mm)$/;
const KEYWORDS = new Set([
  "if",
  "for",
  "while",
  "switch",
  "catch",
  "return",
  "else",
  "do",
  "sizeof",
  "new",
  "delete",
  "typeof",
  "await",
  "function",
  "elif",
  "with",
  "match",
  "case",
  "throw",
  "super",
  "this",
]);

/** The function a line defines, if it is a definition (C-like, JS/TS, Python, Go, Rust, Ruby). */
export function definedName(raw: string): string | null {
  // Attributes and annotations sit before the name: `__attribute__((noinline)) int f(…)`.
  const line = raw
    .replace(/__attribute__\s*\(\(.*?\)\)/g, "")
    .replace(/__declspec\s*\(.*?\)/g, "")
    .replace(/\[\[.*?\]\]/g, "")
    .replace(/^\s*@\w+(\([^)]*\))?\s*/, "");
  const patterns = [
    /^\s*(?:async\s+)?def\s+([A-Za-z_]\w*)\s*\(/, // Python
    /^\s*func\s+(?:\([^)]*\)\s*)?([A-Za-z_]\w*)\s*[([]/, // Go
    /^\s*(?:pub(?:\([^)]*\))?\s+)?(?:const\s+|async\s+|unsafe\s+|extern\s+"[^"]*"\s+)*fn\s+([A-Za-z_]\w*)/, // Rust
    /^\s*def\s+(?:self\.)?([A-Za-z_]\w*[?!]?)/, // Ruby
    /(?:^|[\s(=,:])function\s*\*?\s*([A-Za-z_$][\w$]*)\s*\(/, // JS function
    /^\s*(?:export\s+)?(?:const|let|var)\s+([A-Za-z_$][\w$]*)\s*(?::[^=]+)?=\s*(?:async\s+)?(?:function\b|\([^)]*\)\s*(?::[^=]+)?=>|[A-Za-z_$][\w$]*\s*=>)/, // arrow
    // C, C++, Java, C#, and JS/TS class methods: `type name(args) {`, `name(args) {`
    /^\s*(?:[\w:<>,*&[\]~]+\s+)*\**([A-Za-z_~][\w:~]*)\s*\([^;=]*\)\s*(?:const\s*)?(?:noexcept\s*)?(?:throws\s+[\w., ]+)?(?::\s*[^={;]+)?\s*\{?\s*$/,
  ];
  for (const pattern of patterns) {
    const match = pattern.exec(line);
    if (!match) continue;
    const name = (match[1] as string).split("::").pop() as string;
    if (KEYWORDS.has(name)) continue;
    // A call statement (`foo(x);`, `x = foo(y)`) is not a definition.
    if (pattern === patterns[6] && (/[;]\s*$/.test(line) || /^\s*(return|else)\b/.test(line)))
      continue;
    return name;
  }
  return null;
}

/**
 * The functions a unified diff changes: a changed line belongs to the nearest definition above it
 * in its hunk (or to the function git names in the hunk header). Non-source files are skipped.
 */
export function changedFunctions(diff: string): ChangedFunction[] {
  const found = new Map<string, ChangedFunction>();
  const definedBy = new Map<string, { plus: boolean; minus: boolean }>();
  const shownLines = new Map<string, number[]>();
  let file: string | null = null;
  let current: string | null = null;
  let oldLine = 0;
  // Context lines of the current function since its definition or its last change.
  let pending: number[] = [];
  const touch = (name: string) => {
    if (!file) return;
    const key = `${file}\u0000${name}`;
    if (!found.has(key)) {
      found.set(key, { file, name, added: false, deleted: false, oldLines: [] });
    }
  };
  for (const line of diff.split("\n")) {
    if (line.startsWith("diff --git ")) {
      file = null;
      current = null;
    } else if (line.startsWith("+++ ")) {
      const path = line.slice(4).trim().replace(/^b\//, "");
      file = path === "/dev/null" || !SOURCE.test(path) ? null : path;
    } else if (line.startsWith("--- ")) {
      if (!file) {
        const path = line.slice(4).trim().replace(/^a\//, "");
        if (path !== "/dev/null" && SOURCE.test(path)) file = path;
      }
    } else if (line.startsWith("@@")) {
      const context = /^@@[^@]*@@\s?(.*)$/.exec(line)?.[1] ?? "";
      current = context ? definedName(context) : null;
      oldLine = Number(/^@@ -(\d+)/.exec(line)?.[1] ?? 0);
      pending = [];
    } else if (file && (line.startsWith("+") || line.startsWith("-") || line.startsWith(" "))) {
      const text = line.slice(1);
      const name = definedName(text);
      if (name) {
        current = name;
        pending = [];
        if (line[0] !== " ") {
          const key = `${file}\u0000${name}`;
          const seen = definedBy.get(key) ?? { plus: false, minus: false };
          if (line[0] === "+") seen.plus = true;
          else seen.minus = true;
          definedBy.set(key, seen);
        }
      }
      if (line[0] !== " " && current && text.trim() !== "") touch(current);
      if (current && line[0] === " ") pending.push(oldLine);
      if (current && line[0] !== " ") {
        const key = `${file}\u0000${current}`;
        const removed = line[0] === "-" ? [oldLine] : [];
        shownLines.set(key, [...(shownLines.get(key) ?? []), ...pending, ...removed]);
        pending = [];
      }
      if (line[0] !== "+") oldLine++;
    }
  }
  for (const [key, changed] of found) {
    const seen = definedBy.get(key);
    changed.added = seen?.plus === true && !seen.minus;
    changed.deleted = seen?.minus === true && !seen.plus;
    changed.oldLines = shownLines.get(key) ?? [];
  }
  return [...found.values()];
}

/**
 * The bare name of a profiled function: `pkg.(*T).Method` → Method, `ns::f(int)` → f, and a
 * compiler's clone of a function is the function: `grow.part.0`, `hash.constprop.0` and
 * `ns::f(int) [clone .isra.0]` → grow, hash, f.
 */
export function bareName(name: string): string {
  const withoutArgs = name
    .replace(/\s*\[clone [^\]]*\]$/, "")
    .replace(/(\.(?:part|constprop|isra|lto_priv|llvm)\.\d+)+$/, "")
    .replace(/\(.*\)\s*(const)?\s*$/, "")
    .replace(/\s*\[.*\]$/, "");
  const parts = withoutArgs.split(/::|\.|\//).filter(Boolean);
  return (parts[parts.length - 1] ?? withoutArgs).replace(/^\(\*?|\)$/g, "");
}
