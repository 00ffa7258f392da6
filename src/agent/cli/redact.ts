import { isSecretName } from "./env.js";

/** Key shapes worth hiding even when they come from a file rather than the environment. */
const KEY_SHAPES = /\b(sk-ant-[A-Za-z0-9_-]{8,}|sk-(?:proj-)?[A-Za-z0-9_-]{16,})/g;

/**
 * A function that hides secrets in text written to disk: the value of every secret-looking
 * variable of `env` (names containing KEY, TOKEN, SECRET or PASSWORD), and API-key shapes.
 */
export function secretRedactor(env: NodeJS.ProcessEnv): (text: string) => string {
  const secrets = Object.entries(env)
    .filter(([name, value]) => isSecretName(name) && value !== undefined && value.length >= 6)
    .map(([name, value]) => [name, value as string] as const)
    // Longest first, so a secret containing another is replaced whole.
    .sort((a, b) => b[1].length - a[1].length);
  return (text: string) => {
    let out = text;
    for (const [name, value] of secrets) out = out.split(value).join(`[redacted ${name}]`);
    return out.replace(KEY_SHAPES, "[redacted key]");
  };
}
