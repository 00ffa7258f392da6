import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { profileGoTest, runsGoTest } from "./adapters/go.js";
import { profileJvm } from "./adapters/jvm.js";
import { profileNative } from "./adapters/native.js";
import { profileNode } from "./adapters/node.js";
import { profilePython } from "./adapters/python.js";
import { detectLanguage } from "./detect.js";
import { profileWithEnoughSamples } from "./enough-samples.js";
import { addLineSources } from "./line-sources.js";
import { type SpeedscopeFile, toSpeedscope } from "./speedscope.js";
import { summarize } from "./summarize.js";
import type { AdapterResult, Hotspots, Language, ProfileRequest } from "./types.js";

export interface ProfileOptions {
  command: string;
  cwd: string;
  env?: Record<string, string>;
  timeoutMs: number;
  language?: Language;
  /** Percentages as shares of the samples inside this function (the measured region). */
  focus?: string;
}

export interface ProfileOutcome {
  hotspots: Hotspots;
  speedscope: SpeedscopeFile;
  /** Wall time of the profiled run (without reading the profile), when the adapter tells. */
  runMs: number | null;
}

/**
 * Runs `command` under the profiler that fits what it runs (twice when the first run held too few
 * samples) and returns its hot spots and a speedscope file. Throws ProfileError (what was tried, what to install) when none can.
 */
export async function profileCommand(options: ProfileOptions): Promise<ProfileOutcome> {
  const language = options.language ?? (await detectLanguage(options.command, options.cwd));
  const workDir = await mkdtemp(join(tmpdir(), "auto-optimize-profile-"));
  try {
    const result = await profileWithEnoughSamples(
      (request) => runAdapter(language, request),
      { ...options, language, workDir },
      options.focus,
    );
    const hotspots = summarize(language, result, options.focus);
    await addLineSources(hotspots.hotspots.slice(0, 40), options.cwd);
    return {
      hotspots,
      speedscope: toSpeedscope(
        result.data,
        `${options.command} (${result.profiler})`,
        "auto-optimize",
      ),
      runMs: result.runMs ?? null,
    };
  } finally {
    await rm(workDir, { recursive: true, force: true });
  }
}

function runAdapter(language: Language, request: ProfileRequest): Promise<AdapterResult> {
  switch (language) {
    case "node":
      return profileNode(request);
    case "python":
      return profilePython(request);
    case "jvm":
      return profileJvm(request);
    case "go":
      return runsGoTest(request.command) ? profileGoTest(request) : profileNative(request);
    case "native":
      return profileNative(request);
  }
}
