/** Any variable whose name says it holds a credential. */
const SECRET_NAME = /KEY|TOKEN|SECRET|PASSWORD/i;
/** Shorter values ("1", "true") would garble every log line and protect nothing. */
const MIN_SECRET_LENGTH = 6;
/** API-key shapes worth hiding even when they come from a file rather than the environment. */
const KEY_SHAPES = /\b(sk-ant-[A-Za-z0-9_-]{8,}|sk-(?:proj-)?[A-Za-z0-9_-]{16,})/g;

export function isSecretName(name: string): boolean {
  return SECRET_NAME.test(name);
}

/**
 * The environment for commands an agent runs: this one without any credential-named variable,
 * except those in `keep` (a coding CLI's own key). Everything else passes unchanged.
 */
export function withoutSecrets(
  env: NodeJS.ProcessEnv,
  keep: readonly string[] = [],
): NodeJS.ProcessEnv {
  const allowed = new Set(keep);
  return Object.fromEntries(
    Object.entries(env).filter(
      ([name, value]) => value !== undefined && (!isSecretName(name) || allowed.has(name)),
    ),
  );
}

/**
 * Hides secrets wherever they appear — log lines, tool output shown to a model, every artifact
 * written to disk: the values of credential-named variables (as `[redacted NAME]`), the extra
 * values given (API keys from elsewhere, as `[redacted]`) and anything shaped like an API key.
 */
export class Redactor {
  private readonly secrets: { value: string; label: string }[];

  constructor(env: NodeJS.ProcessEnv, extra: (string | undefined)[] = []) {
    const named = Object.entries(env)
      .filter(([name]) => isSecretName(name))
      .map(([name, value]) => ({ value: value ?? "", label: `[redacted ${name}]` }));
    const others = extra.map((value) => ({ value: value ?? "", label: "[redacted]" }));
    const seen = new Set<string>();
    this.secrets = [...named, ...others]
      .filter((s) => s.value.trim().length >= MIN_SECRET_LENGTH && !seen.has(s.value))
      .filter((s) => seen.add(s.value))
      // Longest first, so a secret containing another is replaced whole.
      .sort((a, b) => b.value.length - a.value.length);
  }

  text(value: string): string {
    let out = value;
    for (const { value: secret, label } of this.secrets) {
      if (out.includes(secret)) out = out.split(secret).join(label);
    }
    return out.replace(KEY_SHAPES, "[redacted key]");
  }

  /** A deep copy with every string redacted. */
  value<T>(value: T): T {
    if (typeof value === "string") return this.text(value) as T;
    if (Array.isArray(value)) return value.map((v) => this.value(v)) as T;
    if (value && typeof value === "object") {
      return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, this.value(v)])) as T;
    }
    return value;
  }
}
