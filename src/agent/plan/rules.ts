/**
 * The rules every planner and executor is told, with how the program holds them to each: one text
 * for the brief (the model planner, the coding CLIs, a host agent) and the executors' prompts.
 */
export function candidateRules(): string[] {
  return [
    "- Same behaviour: everything the benchmark prints besides the metric (digests, counts, every other line that does not vary between runs) must stay what the best prints, and a behaviour check command, when the experiment has one, must print the same bytes. Checked on every candidate: a difference rejects it as behaviour-changed, whatever it gains.",
    "- The benchmark's input is not special: no shortcut taken only for its input, its size, its arguments or the process's name. Such a shortcut changes what the benchmark prints and is rejected as above.",
    "- Real time saved: the metric's saving must show in the process's own CPU or wall time. Checked where the benchmark times its own work and prints the duration: a metric that improves far more than the process saved is rejected as metric-inconsistent.",
    "- Edits only inside the scope, never to a protected file (tests, benchmarks, the experiment folder). Checked by hashes and paths, again after measuring: any such edit rejects the candidate, and so does a file hidden by a .gitignore or .git/info/exclude entry of its own, a symlink pointing outside the scope, or a file that changes while it is measured.",
    "- No state between runs: nothing one run leaves behind (a cache under /tmp, $HOME or the repository) may make a later run faster; every run must do its work again. Checked: each test and benchmark run gets a fresh, empty TMPDIR and HOME (confined by bubblewrap where available: read-only filesystem but its own checkout, no network), and a run that leaves files in its checkout the best's runs do not leave, or writes into another checkout, is rejected as wrote-outside-run.",
  ];
}
