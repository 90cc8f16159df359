// Public surface of the HTTP server.
export { buildApp } from "./app.ts";
export { AuditGate } from "./audit-gate.ts";
export type { AppOptions } from "./app.ts";
export type { AuditRunner } from "./routes/generation.ts";
export { createEngine, startMiniserve } from "./miniserve.ts";
export type { EngineParts, Miniserve } from "./miniserve.ts";
export { errorBody, ResponseShaper, sseData, usageOf } from "./openai-format.ts";
export type { Usage } from "./openai-format.ts";
export { formatChat, validateGeneration } from "./validate-request.ts";
export type { ChatMessage, GenerationParams } from "./validate-request.ts";
