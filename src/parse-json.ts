import { readFileSync } from "node:fs";
import type { z } from "zod";

/** A message that says which field is wrong and how, for people and models alike. */
export function describeIssues(error: z.ZodError): string {
  return error.issues
    .map((issue) => `${issue.path.join(".") || "(root)"}: ${issue.message}`)
    .join("; ");
}

/**
 * JSON text checked against `schema`. When it is not JSON or does not match, `fail` gets what is
 * wrong ("is not JSON (…)", "does not have the expected fields: …") and returns the error to
 * throw, which names the file.
 */
export function parseJson<S extends z.ZodType>(
  text: string,
  schema: S,
  fail: (problem: string) => Error,
): z.output<S> {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (error) {
    throw fail(`is not JSON (${(error as Error).message})`);
  }
  const result = schema.safeParse(data);
  if (!result.success) {
    throw fail(`does not have the expected fields: ${describeIssues(result.error)}`);
  }
  return result.data;
}

/** A JSON file checked against `schema`; an unreadable file goes to `fail` as well. */
export function readJsonFile<S extends z.ZodType>(
  path: string,
  schema: S,
  fail: (problem: string) => Error,
): z.output<S> {
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (error) {
    throw fail(`cannot be read (${(error as Error).message})`);
  }
  return parseJson(text, schema, fail);
}
