import { describe, expect, it } from "vitest";
import { renderReportHtml } from "../src/loop/report/html.js";

describe("report.html", () => {
  it("shows raw HTML from models and diffs as text, and keeps links from running script", () => {
    const html = renderReportHtml({
      title: "Final report: <exp>",
      markdown: [
        "# Final report: exp-001",
        "",
        "| Iteration | Strategy |",
        "|---|---|",
        "| 1 | use <img src=x onerror=alert(1)> as a cache |",
        "",
        "<script>alert(1)</script>",
        "",
        "[click](javascript:alert(1)) and [plan](iterations/iter-001-x/plan.md) and [docs](https://example.org/a)",
        "",
        "```diff",
        "+  if (a < b && c > d) {",
        "```",
      ].join("\n"),
      chart: '<svg xmlns="http://www.w3.org/2000/svg"></svg>',
    });
    expect(html).toContain("<title>Final report: &lt;exp&gt;</title>");
    expect(html).toContain("&lt;img src=x onerror=alert(1)&gt;");
    expect(html).toContain("&lt;script&gt;alert(1)&lt;/script&gt;");
    expect(html).not.toMatch(/<script|<img|javascript:/);
    expect(html).toContain('<a href="#">click</a>');
    expect(html).toContain('<a href="iterations/iter-001-x/plan.md">plan</a>');
    expect(html).toContain('<a href="https://example.org/a">docs</a>');
    expect(html).toContain("+  if (a &lt; b &amp;&amp; c &gt; d) {");
    // the chart sits under the title
    expect(html).toContain(
      '<h1>Final report: exp-001</h1>\n<figure>\n<svg xmlns="http://www.w3.org/2000/svg"></svg>',
    );
  });

  it("has no figure when there is no chart", () => {
    const html = renderReportHtml({ title: "t", markdown: "# t\n\nNo iteration.", chart: null });
    expect(html).not.toContain("<figure>");
    expect(html).toContain("<p>No iteration.</p>");
  });
});
