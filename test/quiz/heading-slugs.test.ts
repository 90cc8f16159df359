// The GitHub heading-slug algorithm used to check quiz theory links against the theory chapters.
import { test } from "node:test";
import assert from "node:assert/strict";
import { githubSlug, headingSlugs } from "../../src/quiz/index.ts";

test("slugs follow GitHub: lowercase, punctuation dropped, spaces to hyphens", () => {
  assert.equal(githubSlug("Why no Summaries?"), "why-no-summaries");
  assert.equal(githubSlug("PromQL: rate, error ratio and quantiles"), "promql-rate-error-ratio-and-quantiles");
  assert.equal(githubSlug("200 OK is not success"), "200-ok-is-not-success");
  assert.equal(githubSlug("p95 cost, not mean cost"), "p95-cost-not-mean-cost");
  assert.equal(githubSlug("The log triad: trace_id and span_id"), "the-log-triad-trace_id-and-span_id");
});

test("heading text is taken from inline tokens, and repeated headings get -1, -2", () => {
  const md = "# Title\n\n## `rate()` and *friends*\n\n## Example\n\n### Example\n\nSetext\n------\n";
  assert.deepEqual(headingSlugs(md), ["title", "rate-and-friends", "example", "example-1", "setext"]);
});
