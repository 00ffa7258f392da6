import { posix } from "node:path";
import ts from "typescript";

/**
 * The layers of src/, innermost first: a file may import its own layer and the ones before it,
 * never one after it. Folders in one layer may import each other (measure/ uses workspace/,
 * cli/ uses mcp/). bench/ holds benchmark scripts of the tool itself: nothing ships on them, so
 * they sit outermost and may use any layer.
 */
export const LAYERS: readonly (readonly string[])[] = [
  ["measure", "workspace"],
  ["profile", "experiment"],
  ["agent", "queue"],
  ["loop"],
  ["cli", "mcp"],
  ["bench"],
];

export interface SourceFile {
  /** Relative to src/, with forward slashes: "loop/run-loop.ts". */
  path: string;
  text: string;
}

/**
 * The rank of a file in LAYERS. Files directly in src/ (errors.ts, flag-numbers.ts) are shared
 * by every layer, so they rank below all of them and may import only each other.
 */
function rank(path: string): number {
  const folder = path.includes("/") ? (path.split("/")[0] as string) : null;
  if (folder === null) return -1;
  const index = LAYERS.findIndex((layer) => layer.includes(folder));
  if (index === -1) throw new Error(`src/${folder}/ is in no layer: add it to LAYERS`);
  return index;
}

/**
 * Every module specifier the file names: import/export … from, import x = require, import(),
 * import("…").T in a type. A dynamic import of a computed name is returned as its code in
 * brackets ("[name]"): no layer can be checked for it, so it counts as a violation.
 */
export function importSpecifiers(path: string, text: string): string[] {
  const source = ts.createSourceFile(path, text, ts.ScriptTarget.Latest, false, ts.ScriptKind.TS);
  const specifiers: string[] = [];
  const visit = (node: ts.Node): void => {
    if (
      (ts.isImportDeclaration(node) || ts.isExportDeclaration(node)) &&
      node.moduleSpecifier &&
      ts.isStringLiteral(node.moduleSpecifier)
    ) {
      specifiers.push(node.moduleSpecifier.text);
    } else if (
      ts.isImportEqualsDeclaration(node) &&
      ts.isExternalModuleReference(node.moduleReference) &&
      ts.isStringLiteral(node.moduleReference.expression)
    ) {
      specifiers.push(node.moduleReference.expression.text);
    } else if (ts.isCallExpression(node) && node.expression.kind === ts.SyntaxKind.ImportKeyword) {
      const argument = node.arguments[0];
      if (argument !== undefined && ts.isStringLiteralLike(argument))
        specifiers.push(argument.text);
      else specifiers.push(`[${argument?.getText(source) ?? ""}]`);
    } else if (ts.isImportTypeNode(node) && ts.isLiteralTypeNode(node.argument)) {
      const literal = node.argument.literal;
      if (ts.isStringLiteral(literal)) specifiers.push(literal.text);
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
  return specifiers;
}

/** The imported file relative to src/, or null for a package or anything outside src/. */
export function resolveInSrc(from: string, specifier: string): string | null {
  if (!specifier.startsWith(".")) return null;
  const target = posix.normalize(posix.join(posix.dirname(from), specifier));
  return target.startsWith("../") ? null : target;
}

/** Every import that reaches into an outer layer, as "file -> specifier" (file under src/). */
export function layerViolations(files: readonly SourceFile[]): string[] {
  const violations: string[] = [];
  for (const file of files) {
    const own = rank(file.path);
    for (const specifier of importSpecifiers(file.path, file.text)) {
      const computed = specifier.startsWith("[");
      const target = computed ? null : resolveInSrc(file.path, specifier);
      if (computed || (target !== null && rank(target) > own)) {
        violations.push(`src/${file.path} -> ${specifier}`);
      }
    }
  }
  return violations;
}
