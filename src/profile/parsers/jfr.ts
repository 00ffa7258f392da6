import { z } from "zod";
import type { Frame, StackData } from "../types.js";
import { StackCollector } from "./stack-collector.js";

const JfrFrameSchema = z.object({
  method: z
    .object({
      type: z.object({ name: z.string().optional() }).optional(),
      name: z.string().optional(),
      descriptor: z.string().optional(),
    })
    .optional(),
  lineNumber: z.number().optional(),
});

/** The part of `jfr print --json --events jdk.ExecutionSample` that is read. */
export const JfrJsonSchema = z.object({
  recording: z
    .object({
      events: z
        .array(
          z.object({
            type: z.string().optional(),
            values: z
              .object({
                stackTrace: z.object({ frames: z.array(JfrFrameSchema).optional() }).nullish(),
              })
              .optional(),
          }),
        )
        .optional(),
    })
    .optional(),
});
export type JfrJson = z.infer<typeof JfrJsonSchema>;

/**
 * Java Flight Recorder's execution samples as stacks (JFR lists frames leaf first). A method is
 * named `package.Class.method`; its file is guessed from the class (`package/Class.java`) since JFR
 * does not record source files, and its line is the first line a sample saw it at. Each sample's
 * leaf line is counted (the lines inside hot methods).
 */
export function parseJfrJson(json: JfrJson, periodMs: number): StackData {
  const frames: Frame[] = [];
  const frameIndex = new Map<string, number>();
  const collector = new StackCollector();
  for (const event of json.recording?.events ?? []) {
    if (event.type !== "jdk.ExecutionSample") continue;
    const trace = event.values?.stackTrace?.frames ?? [];
    const stack: number[] = [];
    for (const f of [...trace].reverse()) {
      const type = f.method?.type?.name ?? "?";
      const name = `${type.replaceAll("/", ".")}.${f.method?.name ?? "?"}`;
      const key = `${name}${f.method?.descriptor ?? ""}`;
      let index = frameIndex.get(key);
      if (index === undefined) {
        index = frames.length;
        const outer = type.split("$")[0] as string;
        frames.push({
          name,
          file: `${outer}.java`,
          line: f.lineNumber !== undefined && f.lineNumber > 0 ? f.lineNumber : null,
        });
        frameIndex.set(key, index);
      }
      stack.push(index);
    }
    if (stack.length === 0) continue;
    const leafLine = trace[0]?.lineNumber;
    collector.add(stack, periodMs, 1, leafLine);
  }
  return { kind: "stacks", unit: "milliseconds", frames, stacks: collector.stacks() };
}
