import { Marked, type Tokens } from "marked";
import { escapeMarkup } from "./escape.js";

/** Links the report may carry: web pages, relative paths inside the experiment, anchors. */
const SAFE_HREF = /^(https?:|mailto:|#|\.{0,2}\/|[\w.-]+(\/|$))/i;

/**
 * Markdown to HTML for the report. Its text comes partly from models (strategies, reflexions) and
 * from diffs, so raw HTML is shown as text and links may not run script.
 */
const markdown = new Marked({
  gfm: true,
  renderer: {
    html: ({ text }: Tokens.HTML | Tokens.Tag) => escapeMarkup(text),
  },
  walkTokens: (token) => {
    if ((token.type === "link" || token.type === "image") && !SAFE_HREF.test(token.href.trim())) {
      token.href = "#";
    }
  },
});

const STYLE = `
body { font: 15px/1.5 system-ui, -apple-system, "Segoe UI", sans-serif; color: #24292f; max-width: 1100px; margin: 2em auto; padding: 0 1em; }
h1, h2, h3 { line-height: 1.25; } h2 { border-bottom: 1px solid #d0d7de; padding-bottom: .3em; margin-top: 1.6em; }
table { border-collapse: collapse; display: block; overflow-x: auto; margin: 1em 0; }
th, td { border: 1px solid #d0d7de; padding: 4px 10px; text-align: left; vertical-align: top; }
tr:nth-child(even) td { background: #f6f8fa; }
code { font: 13px ui-monospace, SFMono-Regular, Menlo, monospace; background: #f6f8fa; padding: .1em .3em; border-radius: 4px; }
pre { background: #f6f8fa; padding: 1em; overflow-x: auto; border-radius: 6px; }
pre code { padding: 0; background: none; }
figure { margin: 1.5em 0; } figure svg { width: 100%; max-width: 760px; height: auto; }
figcaption { color: #57606a; font-size: 13px; }
`;

/**
 * report.html: the final report as one self-contained page (no scripts, no external assets) that
 * opens in any browser, with the progress chart above the report's text.
 */
export function renderReportHtml(input: {
  title: string;
  markdown: string;
  chart: string | null;
}): string {
  const body = markdown.parse(input.markdown, { async: false });
  const chart = input.chart
    ? [
        "<figure>",
        input.chart,
        "<figcaption>Each point is an iteration's candidate median from its own comparison against the best of its time (green kept, grey dropped; a red cross was rejected or failed its tests or its benchmark before being measured). The line is the best so far; dashed lines are the locked baseline and the target.</figcaption>",
        "</figure>",
      ].join("\n")
    : "";
  return [
    "<!doctype html>",
    '<html lang="en">',
    "<head>",
    '<meta charset="utf-8">',
    '<meta name="viewport" content="width=device-width, initial-scale=1">',
    `<title>${escapeMarkup(input.title)}</title>`,
    `<style>${STYLE}</style>`,
    "</head>",
    "<body>",
    // The chart goes under the report's title.
    body.replace(/<\/h1>\n?/, (end) => `${end}${chart}\n`),
    "</body>",
    "</html>",
    "",
  ].join("\n");
}
