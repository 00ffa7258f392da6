import { withoutSecrets } from "./secrets.js";

/** Names of credential-looking variables the user lets through to the experiment's commands. */
export const PASS_ENV_VARIABLE = "AUTO_OPTIMIZE_PASS_ENV";

/** The names in AUTO_OPTIMIZE_PASS_ENV (comma-separated). */
export function passedThrough(env: NodeJS.ProcessEnv = process.env): string[] {
  return (env[PASS_ENV_VARIABLE] ?? "")
    .split(",")
    .map((name) => name.trim())
    .filter(Boolean);
}

/**
 * The environment of every command the program runs for an experiment (build, tests, behaviour
 * check, benchmark, profiler): this process's without credentials — a failing test that prints its
 * environment must have none to print — except the names in AUTO_OPTIMIZE_PASS_ENV, with `extra`
 * (the knobs' variables, set by the program) on top.
 */
export function commandEnvironment(
  extra: Record<string, string | undefined> = {},
  env: NodeJS.ProcessEnv = process.env,
): NodeJS.ProcessEnv {
  return { ...withoutSecrets(env, passedThrough(env)), ...extra };
}
