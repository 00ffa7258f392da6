/** Any variable whose name says it holds a credential. */
const SECRET_NAME = /KEY|TOKEN|SECRET|PASSWORD/i;
/** Shorter values ("1", "true") would garble every log line and protect nothing. */
const MIN_SECRET_LENGTH = 6;
/** API-key shapes worth hiding even when they come from a file rather than the environment. */
const KEY_SHAPES = /\b(sk-ant-[A-Za-z0-9_-]{8,}|sk-(?:proj-)?[A-Za-z0-9_-]{16,})/g;
/** `scheme://user:password@`: the password of a URL, wherever such a URL appears. */
const URL_PASSWORD = /\b([a-z][a-z0-9+.-]*:\/\/[^\s:/@]*:)([^\s/@]+)@/gi;

export function isSecretName(name: string): boolean {
  return SECRET_NAME.test(name);
}

/** A URL carrying a password (`postgres://user:pass@host/db`): a credential whatever its name. */
export function hasUrlCredentials(value: string): boolean {
  return new RegExp(URL_PASSWORD.source, "i").test(value);
}

/** A variable that holds a credential, by its name or by its value. */
export function isSecretVariable(name: string, value: string | undefined): boolean {
  return isSecretName(name) || (value !== undefined && hasUrlCredentials(value));
}

/**
 * The environment for commands an agent or the experiment runs: this one without any credential
 * (`isSecretVariable`), except those in `keep` (a coding CLI's own key, a name the user let
 * through). Everything else passes unchanged.
 */
export function withoutSecrets(
  env: NodeJS.ProcessEnv,
  keep: readonly string[] = [],
): NodeJS.ProcessEnv {
  const allowed = new Set(keep);
  return Object.fromEntries(
    Object.entries(env).filter(
      ([name, value]) =>
        value !== undefined && (!isSecretVariable(name, value) || allowed.has(name)),
    ),
  );
}

/**
 * Hides secrets wherever they appear — log lines, tool output shown to a model, every artifact
 * written to disk: the values of credential variables (as `[redacted NAME]`), the extra values
 * given (API keys from elsewhere, as `[redacted]`), anything shaped like an API key and the
 * password of any URL (`postgres://user:[redacted]@host`).
 */
export class Redactor {
  private readonly secrets: { value: string; label: string }[];

  constructor(env: NodeJS.ProcessEnv, extra: (string | undefined)[] = []) {
    const named = Object.entries(env)
      .filter(([name, value]) => isSecretVariable(name, value))
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
    return out.replace(KEY_SHAPES, "[redacted key]").replace(URL_PASSWORD, "$1[redacted]@");
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
