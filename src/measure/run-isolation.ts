import { existsSync } from "node:fs";
import { mkdir, mkdtemp, rm } from "node:fs/promises";
import { homedir, tmpdir } from "node:os";
import { join } from "node:path";
import { type Confinement, sandboxArgs } from "./confinement.js";

/** How one test or benchmark run is isolated from every other run and from the machine. */
export interface RunIsolation {
  confinement: Confinement;
  /** The checkout the run belongs to: the only folder of the user's it may write when confined. */
  writable: readonly string[];
  network: boolean;
}

/**
 * Tool installations that default to a folder under HOME: with HOME replaced, each is pointed at
 * the user's own (when it exists and the variable is not set), so the run finds its toolchain.
 */
const TOOL_ROOTS: readonly [variable: string, folder: string][] = [
  ["PYENV_ROOT", ".pyenv"],
  ["CARGO_HOME", ".cargo"],
  ["RUSTUP_HOME", ".rustup"],
  ["NVM_DIR", ".nvm"],
  ["GOPATH", "go"],
  ["SDKMAN_DIR", ".sdkman"],
];

export interface IsolatedRun {
  /** Variables set for the run on top of its environment. */
  env: Record<string, string>;
  /** The program and arguments that run `file args` inside the sandbox (unchanged when none). */
  wrap(file: string, args: string[], cwd: string): [string, string[]];
  /** Removes the run's temporary folders. */
  dispose(): Promise<void>;
}

/**
 * A fresh, empty TMPDIR and HOME for one run, removed after it: nothing a run leaves there
 * (a result cache under /tmp or ~/.cache) reaches the next run of either side. The user's git
 * identity and toolchains stay reachable (GIT_CONFIG_GLOBAL, TOOL_ROOTS); Python's bytecode cache
 * goes to the run's TMPDIR rather than into the checkout.
 */
export async function isolateRun(
  isolation: RunIsolation,
  env: NodeJS.ProcessEnv,
): Promise<IsolatedRun> {
  const dir = await mkdtemp(join(tmpdir(), "auto-optimize-run-"));
  const tmp = join(dir, "tmp");
  const home = join(dir, "home");
  await Promise.all([mkdir(tmp), mkdir(home)]);
  const userHome = env.HOME ?? homedir();
  const vars: Record<string, string> = {
    TMPDIR: tmp,
    TMP: tmp,
    TEMP: tmp,
    HOME: home,
    XDG_CACHE_HOME: join(home, ".cache"),
    XDG_DATA_HOME: join(home, ".local", "share"),
    XDG_STATE_HOME: join(home, ".local", "state"),
    PYTHONPYCACHEPREFIX: join(tmp, "pycache"),
  };
  const gitConfig = join(userHome, ".gitconfig");
  if (!env.GIT_CONFIG_GLOBAL && existsSync(gitConfig)) vars.GIT_CONFIG_GLOBAL = gitConfig;
  for (const [variable, folder] of TOOL_ROOTS) {
    const path = join(userHome, folder);
    if (!env[variable] && existsSync(path)) vars[variable] = path;
  }
  const { confinement } = isolation;
  return {
    env: vars,
    wrap: (file, args, cwd) =>
      confinement.kind === "bwrap"
        ? [
            confinement.path,
            [
              ...sandboxArgs({
                writable: [dir, ...isolation.writable],
                network: isolation.network,
                cwd,
              }),
              file,
              ...args,
            ],
          ]
        : [file, args],
    dispose: () => rm(dir, { recursive: true, force: true }),
  };
}
