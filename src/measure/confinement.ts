import { execFile } from "node:child_process";

/** How the experiment's test and benchmark runs are confined, or why they are not. */
export type Confinement = { kind: "bwrap"; path: string } | { kind: "none"; reason: string };

const BWRAP = "bwrap";
let detected: Promise<Confinement> | undefined;

/**
 * bubblewrap when it is installed and can make a sandbox here (it needs user namespaces, or root):
 * tried once per process with the same mounts a run gets, so a system that refuses them is told
 * apart from one that lacks the program.
 */
export function detectConfinement(): Promise<Confinement> {
  detected ??= new Promise((resolve) => {
    const args = [...sandboxArgs({ writable: [], network: false, cwd: "/" }), "/bin/true"];
    execFile(BWRAP, args, { timeout: 10_000 }, (error, _stdout, stderr) => {
      if (!error) resolve({ kind: "bwrap", path: BWRAP });
      else if ((error as NodeJS.ErrnoException).code === "ENOENT")
        resolve({ kind: "none", reason: "bubblewrap (bwrap) is not installed" });
      else
        resolve({
          kind: "none",
          reason: `bubblewrap cannot make a sandbox here (${stderr.trim() || error.message})`,
        });
    });
  });
  return detected;
}

export interface SandboxSpec {
  /** Folders the run may write: its own checkout and its temporary folders. */
  writable: readonly string[];
  /** Keep the host's network (a benchmark against a local server); otherwise none. */
  network: boolean;
  cwd: string;
}

/**
 * bwrap's arguments up to the command: the whole filesystem read-only, a private /tmp and
 * /dev/shm, `writable` bound read-write on top, no network unless asked, and killed with its
 * parent (what it leaves running is killed with its process group, as for any run).
 */
export function sandboxArgs(spec: SandboxSpec): string[] {
  const binds = spec.writable.flatMap((path) => ["--bind", path, path]);
  return [
    // No --unshare-pid: in a process namespace the run's peak memory and CPU time no longer reach
    // the time tool (measured: a 140 MB node process reported as bwrap's own 2 MB).
    "--die-with-parent",
    ...(spec.network ? [] : ["--unshare-net"]),
    "--ro-bind",
    "/",
    "/",
    "--dev",
    "/dev",
    "--tmpfs",
    "/dev/shm",
    "--proc",
    "/proc",
    "--tmpfs",
    "/tmp",
    ...binds,
    "--chdir",
    spec.cwd,
    "--",
  ];
}

/** One sentence for the user: what a run is confined by, or what is not confined and why. */
export function describeConfinement(confinement: Confinement): string {
  if (confinement.kind === "bwrap")
    return "Test and benchmark runs are confined by bubblewrap: read-only filesystem but their own checkout, a private /tmp, no network.";
  return `Test and benchmark runs are not confined: ${confinement.reason}. Each run still gets a fresh TMPDIR and HOME and the checkouts are checked after every run, but a candidate's code can read and write anywhere the user can (install bubblewrap to confine it).`;
}
