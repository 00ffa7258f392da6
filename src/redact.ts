import { writeFile } from "node:fs/promises";
import { Redactor } from "./secrets.js";

/**
 * The redactor for everything the program writes to an experiment's folder or commits: the
 * credentials of this process's environment (also those let through to the commands), key shapes
 * and URL passwords. Built on each use, so it sees the environment as it is now.
 */
export function artifactRedactor(): Redactor {
  return new Redactor(process.env);
}

export function redactText(text: string): string {
  return artifactRedactor().text(text);
}

/** Writes an artifact of the experiment (a file in its folder, committed) with secrets redacted. */
export async function writeRedacted(path: string, text: string): Promise<void> {
  await writeFile(path, redactText(text));
}
