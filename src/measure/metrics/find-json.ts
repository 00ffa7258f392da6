/**
 * The JSON documents (objects or arrays) that start on their own line in a text, in order.
 * Benchmarks often print log lines before or after their JSON report.
 */
export function findJsonDocuments(text: string): unknown[] {
  return jsonDocumentSpans(text).map((span) => span.document);
}

/** The text with its JSON documents cut out: the lines a text format may read around them. */
export function textOutsideJson(text: string): string {
  let outside = "";
  let from = 0;
  for (const span of jsonDocumentSpans(text)) {
    outside += `${text.slice(from, span.start)}\n`;
    from = span.end;
  }
  return outside + text.slice(from);
}

interface JsonSpan {
  document: unknown;
  start: number;
  /** Just past its closing bracket. */
  end: number;
}

function jsonDocumentSpans(text: string): JsonSpan[] {
  const documents: JsonSpan[] = [];
  const starts = /^[ \t]*([[{])/gm;
  let consumed = 0;
  for (const match of text.matchAll(starts)) {
    const start = match.index + match[0].length - 1;
    if (start < consumed) continue;
    const end = closingIndex(text, start);
    if (end < 0) continue;
    try {
      documents.push({ document: JSON.parse(text.slice(start, end + 1)), start, end: end + 1 });
      consumed = end + 1;
    } catch {
      // A log line such as "[INFO] ..." opens a bracket too; it is not JSON, so go on.
    }
  }
  return documents;
}

/** Index of the bracket closing the one at `start`, skipping strings; -1 when it never closes. */
function closingIndex(text: string, start: number): number {
  let depth = 0;
  let inString = false;
  for (let i = start; i < text.length; i++) {
    const c = text[i];
    if (inString) {
      if (c === "\\") i++;
      else if (c === '"') inString = false;
    } else if (c === '"') inString = true;
    else if (c === "{" || c === "[") depth++;
    else if (c === "}" || c === "]") {
      depth--;
      if (depth === 0) return i;
    }
  }
  return -1;
}
