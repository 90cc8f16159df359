// Lab 02's wrong solutions: spans in the wrong place in the tree or in time, missing error status,
// and trace context that does not cross the process boundary.
import type { Mutant } from "./mutant.ts";

const SPANS = "src/observability/request-spans.ts";
const SUBPROCESS = "src/observability/subprocess.ts";

export const LAB02_MUTANTS: readonly Mutant[] = [
  {
    id: "02-flat-tree", lab: "02", file: SPANS, caughtBy: "02.span-tree",
    mistake: "parented the stage spans to the request's context, making them siblings of the generation span",
    edits: [{ find: `const ctx = trace.setSpan(link.context, gen);`, replace: `const ctx = link.context;` }],
  },
  {
    id: "02-stages-without-times", lab: "02", file: SPANS, caughtBy: "02.span-tree",
    mistake: "started and ended the stage spans without the engine's times, so they measure span building, not the stages",
    edits: [
      { find: `{ kind: SpanKind.INTERNAL, startTime: epochMs(s.startMs), attributes: stageAttributes(s.stage, record) }`, replace: `{ kind: SpanKind.INTERNAL, attributes: stageAttributes(s.stage, record) }` },
      { find: `    span.end(epochMs(s.endMs));`, replace: `    span.end();` },
    ],
  },
  {
    id: "02-generation-ends-at-first-token", lab: "02", file: SPANS, caughtBy: "02.span-tree",
    mistake: "ended the generation span at the first token, as if generating were over once text appears",
    edits: [{ find: `  gen.end(epochMs(record.finishedMs));`, replace: `  gen.end(epochMs(record.firstTokenMs ?? record.finishedMs));` }],
  },
  {
    id: "02-no-error-status", lab: "02", file: SPANS, caughtBy: "02.error-status",
    mistake: "never set error status, so an aborted generation looks like a success",
    edits: [
      { find: `    else if (aborted && s.stage === "decode") span.setStatus({ code: SpanStatusCode.ERROR, message: why });\n`, replace: `` },
      { find: `    gen.setStatus({ code: SpanStatusCode.ERROR, message: why });\n`, replace: `` },
    ],
  },
  {
    id: "02-lowercase-env", lab: "02", file: SUBPROCESS, caughtBy: "02.subprocess",
    mistake: "passed the propagator's carrier as the child's environment: the child finds no TRACEPARENT",
    edits: [{ find: `  const out: Record<string, string> = {};\n  if (carrier["traceparent"]) out["TRACEPARENT"] = carrier["traceparent"];\n  if (carrier["tracestate"]) out["TRACESTATE"] = carrier["tracestate"];\n  return out;`, replace: `  return carrier;` }],
  },
  {
    id: "02-extract-env-as-is", lab: "02", file: SUBPROCESS, caughtBy: "02.subprocess",
    mistake: "extracted from the environment as it is, where the W3C propagator looks for a lowercase traceparent",
    edits: [{ find: `return propagator.extract(ROOT_CONTEXT, carrier, defaultTextMapGetter);`, replace: `void carrier;\n  return propagator.extract(ROOT_CONTEXT, env, defaultTextMapGetter);` }],
  },
];
