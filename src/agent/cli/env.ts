import { accessSync, constants, statSync } from "node:fs";
import { delimiter, join } from "node:path";

/** Variable names that hold secrets: any name containing KEY, TOKEN, SECRET or PASSWORD. */
const SECRET_NAME = /KEY|TOKEN|SECRET|PASSWORD/i;

export function isSecretName(name: string): boolean {
  return SECRET_NAME.test(name);
}

/**
 * The environment a coding CLI runs with: this process's, without any secret-looking variable
 * except the ones the CLI needs to authenticate (`keep`). Everything else (PATH, HOME, locale,
 * the CLI's own non-secret settings) passes unchanged.
 */
export function delegateEnv(base: NodeJS.ProcessEnv, keep: readonly string[]): NodeJS.ProcessEnv {
  const allowed = new Set(keep);
  const env: NodeJS.ProcessEnv = {};
  for (const [name, value] of Object.entries(base)) {
    if (value === undefined) continue;
    if (isSecretName(name) && !allowed.has(name)) continue;
    env[name] = value;
  }
  return env;
}

/** The absolute path of an executable named `binary` on `path` (a PATH value), or null. */
export function findOnPath(binary: string, path = process.env.PATH ?? ""): string | null {
  for (const dir of path.split(delimiter)) {
    if (!dir) continue;
    const candidate = join(dir, binary);
    try {
      if (!statSync(candidate).isFile()) continue;
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {
      // not here
    }
  }
  return null;
}
