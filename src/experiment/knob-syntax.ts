import { AutoOptimizeError, UsageError } from "../errors.js";
import { parseKnobValue, readFileKnob, sameKnobValue } from "./knobs.js";
import { Knob, type KnobValue } from "./schema.js";

/** How `--knob` is written; shown by `init --help` and in every knob error. */
export const KNOB_SYNTAX = `Knobs (--knob, repeatable) are values the tuner may change, written NAME:KIND[:WHERE]:DOMAIN[=INITIAL]:
  NAME:env[:VAR]:DOMAIN=INITIAL           environment variable VAR (default NAME) of the bench and tests
  NAME:arg[:FLAG]:DOMAIN=INITIAL          appended to the bench and test commands as 'FLAG VALUE'
                                          ('FLAG=VALUE' when FLAG ends with '='; the bare value without FLAG)
  NAME:file:PATH:/REGEX/:DOMAIN[=INITIAL] the first capture group of REGEX in PATH; REGEX must match the
                                          file now and its captured text is the initial value
DOMAIN: int:MIN..MAX[:STEP] | float:MIN..MAX | enum:A|B|C | bool
Examples:
  --knob 'THREADS:env:int:1..8=1'
  --knob 'fast:env:FAST:bool=false'
  --knob 'mode:arg:--mode:enum:a|b|c=a'
  --knob 'chunk:file:src/config.js:/CHUNK = (\\d+)/:int:16..4096=64'`;

const SHORT_SYNTAX =
  "write NAME:env[:VAR]:DOMAIN=INITIAL, NAME:arg[:FLAG]:DOMAIN=INITIAL or NAME:file:PATH:/REGEX/:DOMAIN[=INITIAL], with DOMAIN int:MIN..MAX[:STEP], float:MIN..MAX, enum:A|B|C or bool (see init --help)";

/** The domain is the last `:int|:float|:enum|:bool` followed only by its parameters and `=INITIAL`. */
const TAIL = /^(.*):(int|float|enum|bool)((?::[^:=]*)*)(?:=([^:=]*))?$/s;
const NAME = /^[A-Za-z0-9_.-]+$/;
const ENV_VAR = /^[A-Za-z_][A-Za-z0-9_]*$/;
const INT = /^[+-]?\d+$/;

/**
 * Reads one `--knob` declaration into the experiment's Knob schema. A file knob is checked against
 * the file in `root` as it is now: its pattern must match and capture the initial value.
 * Throws a UsageError that quotes the declaration and says what is wrong.
 */
export async function parseKnob(spec: string, root: string): Promise<Knob> {
  const fail = (reason: string) =>
    new UsageError("invalid-knob", `--knob '${spec}': ${reason}; ${SHORT_SYNTAX}.`);
  const tail = TAIL.exec(spec.trim());
  if (!tail) throw fail("no domain at its end");
  const [, head = "", type = "", paramText = "", initialText] = tail;
  const domain = parseDomain(type, paramText.split(":").slice(1), fail);

  const firstColon = head.indexOf(":");
  if (firstColon < 0) throw fail("no kind: env, arg or file must follow the name");
  const name = head.slice(0, firstColon);
  if (!NAME.test(name))
    throw fail(`the name '${name}' may only hold letters, digits, '_', '.', '-'`);
  const rest = head.slice(firstColon + 1);
  const secondColon = rest.indexOf(":");
  const kind = secondColon < 0 ? rest : rest.slice(0, secondColon);
  const where = secondColon < 0 ? undefined : rest.slice(secondColon + 1);

  const initialOf = (text: string): KnobValue => {
    try {
      return parseKnobValue(domain, text);
    } catch (error) {
      throw fail(`initial value '${text}' is outside its domain (${(error as Error).message})`);
    }
  };

  if (kind === "env") {
    const env = where ?? name;
    if (!ENV_VAR.test(env)) throw fail(`'${env}' is not an environment variable name`);
    if (initialText === undefined) throw fail("give its value at the baseline with =INITIAL");
    return checked({ name, kind, env, domain, initial: initialOf(initialText) }, fail);
  }
  if (kind === "arg") {
    const flag = where ?? "";
    if (/\s/.test(flag)) throw fail(`the flag '${flag}' contains white space`);
    if (initialText === undefined) throw fail("give its value at the baseline with =INITIAL");
    return checked(
      { name, kind, ...(flag && { flag }), domain, initial: initialOf(initialText) },
      fail,
    );
  }
  if (kind === "file") {
    const { file, pattern } = parseFileTarget(where, fail);
    const draft: Knob = { name, kind, file, pattern, domain, initial: "" };
    let captured: string;
    try {
      captured = await readFileKnob(root, draft);
    } catch (error) {
      if (error instanceof AutoOptimizeError) throw fail(error.message.replace(/\.$/, ""));
      throw error;
    }
    let initial: KnobValue;
    try {
      initial = parseKnobValue(domain, captured);
    } catch (error) {
      throw fail(
        `the pattern captures '${captured}' in ${file}, which is outside its domain (${(error as Error).message})`,
      );
    }
    if (initialText !== undefined && !sameKnobValue(initialOf(initialText), initial)) {
      throw fail(
        `it says =${initialText} but ${file} holds ${captured}: a file knob starts at the value in the file`,
      );
    }
    return checked({ ...draft, initial }, fail);
  }
  throw fail(`unknown kind '${kind}': use env, arg or file`);
}

type Fail = (reason: string) => UsageError;

function parseDomain(type: string, params: string[], fail: Fail): Knob["domain"] {
  const count = (min: number, max: number, form: string) => {
    if (params.length < min || params.length > max)
      throw fail(`write the ${type} domain as ${form}`);
  };
  switch (type) {
    case "int": {
      count(1, 2, "int:MIN..MAX or int:MIN..MAX:STEP");
      const [min, max] = range(params[0] as string, "int", fail);
      if (!Number.isInteger(min) || !Number.isInteger(max)) {
        throw fail(`the int range '${params[0]}' must have whole-number ends`);
      }
      const stepText = params[1];
      if (stepText === undefined) return { type: "int", min, max };
      if (!INT.test(stepText) || Number(stepText) <= 0) {
        throw fail(`the step '${stepText}' must be a positive whole number`);
      }
      return { type: "int", min, max, step: Number(stepText) };
    }
    case "float": {
      count(1, 1, "float:MIN..MAX");
      const [min, max] = range(params[0] as string, "float", fail);
      return { type: "float", min, max };
    }
    case "enum": {
      count(1, 1, "enum:A|B|C");
      const values = (params[0] as string).split("|");
      if (values.length < 2 || values.some((v) => v === "")) {
        throw fail("an enum needs at least two non-empty values separated by '|'");
      }
      if (new Set(values).size !== values.length) throw fail("the enum lists a value twice");
      return { type: "enum", values };
    }
    default: {
      count(0, 0, "bool (no parameters)");
      return { type: "bool" };
    }
  }
}

function range(text: string, type: string, fail: Fail): [number, number] {
  const parts = text.split("..");
  const [low, high] = parts.map((part) => (part.trim() === "" ? Number.NaN : Number(part)));
  if (parts.length !== 2 || !Number.isFinite(low) || !Number.isFinite(high)) {
    throw fail(`the ${type} range '${text}' must be MIN..MAX, e.g. 1..8`);
  }
  if ((low as number) >= (high as number)) {
    throw fail(`the ${type} range '${text}' must have MIN below MAX`);
  }
  return [low as number, high as number];
}

function parseFileTarget(where: string | undefined, fail: Fail): { file: string; pattern: string } {
  const split = where?.indexOf(":/") ?? -1;
  if (where === undefined || split <= 0) {
    throw fail("a file knob needs PATH:/REGEX/, e.g. src/config.js:/CHUNK = (\\d+)/");
  }
  const file = where.slice(0, split);
  const regex = where.slice(split + 1);
  if (regex.length < 3 || !regex.endsWith("/")) {
    throw fail(`the pattern '${regex}' must be written between slashes, e.g. /CHUNK = (\\d+)/`);
  }
  const pattern = regex.slice(1, -1);
  let groups: number;
  try {
    // An alternative that matches the empty string reveals the number of capture groups.
    groups = (new RegExp(`${pattern}|`).exec("")?.length ?? 1) - 1;
  } catch (error) {
    throw fail(`/${pattern}/ is not a valid regular expression (${(error as Error).message})`);
  }
  if (groups < 1) throw fail(`/${pattern}/ has no capture group around the value, e.g. (\\d+)`);
  return { file, pattern };
}

function checked(knob: Knob, fail: Fail): Knob {
  const result = Knob.safeParse(knob);
  if (!result.success) throw fail(result.error.issues.map((i) => i.message).join("; "));
  return result.data;
}
