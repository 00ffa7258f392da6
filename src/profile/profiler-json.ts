import type { z } from "zod";
import { parseJson } from "../parse-json.js";
import { ProfileError } from "./types.js";

/**
 * A profiler's JSON output checked against the part of its format that is read. `source` names
 * the file (or the command whose output it is) in the error.
 */
export function parseProfilerJson<S extends z.ZodType>(
  text: string,
  schema: S,
  source: string,
  tried: string[] = [],
): z.output<S> {
  return parseJson(
    text,
    schema,
    (problem) =>
      new ProfileError(
        "bad-profile",
        `${source} ${problem}: the profiler wrote something this version cannot read`,
        tried,
      ),
  );
}
