/** Any variable whose name says it holds a credential. */
const SECRET_NAME = /KEY|TOKEN|SECRET|PASSWORD/i;
/** Shorter values ("1", "true") would garble every log line and protect nothing. */
const MIN_SECRET_LENGTH = 6;

export function isSecretName(name: string): boolean {
  return SECRET_NAME.test(name);
}

/** The environment for commands the model asks for: every credential-named variable removed. */
export function scrubbedEnv(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  return Object.fromEntries(Object.entries(env).filter(([name]) => !isSecretName(name)));
}

/**
 * Replaces the values of credential-named variables (API keys included) wherever they appear: in
 * log lines, tool output shown to the model, and every artifact the agent hands to the loop.
 */
export class Redactor {
  private readonly secrets: string[];

  constructor(env: NodeJS.ProcessEnv, extra: (string | undefined)[] = []) {
    const values = Object.entries(env)
      .filter(([name]) => isSecretName(name))
      .map(([, value]) => value ?? "");
    this.secrets = [...new Set([...values, ...extra.map((v) => v ?? "")])]
      .filter((v) => v.trim().length >= MIN_SECRET_LENGTH)
      .sort((a, b) => b.length - a.length);
  }

  text(value: string): string {
    let out = value;
    for (const secret of this.secrets) {
      if (out.includes(secret)) out = out.split(secret).join("[redacted]");
    }
    return out;
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
