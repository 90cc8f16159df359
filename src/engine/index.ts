// Public surface of the engine: tokenizer, model session, KV cache, sampler, engine core and events.
export { Engine } from "./engine.ts";
export type { EngineOptions, EngineStats, GenerateRequest, GenerationHandle, Retriever } from "./engine.ts";
export { KvCache, SlotPool } from "./kv-cache.ts";
export type { KvGeometry } from "./kv-cache.ts";
export { LifecycleEvents } from "./lifecycle-events.ts";
export type { EngineEventMap, EngineEventName, FinishReason, StepEvent, StepPhase, StepRow } from "./lifecycle-events.ts";
export { ModelSession, readModelConfig, sha256File } from "./model-session.ts";
export { LocalModelRunner } from "./model-runner.ts";
export type { DecodeRow, ModelRunner, PrefillRow, RowOutput, StepOutput } from "./model-runner.ts";
export { CoreClient } from "./core-client.ts";
export type { CoreEvent, CoreInit, CoreRequest } from "./core-protocol.ts";
export { EngineCore } from "./engine-core.ts";
export type { ForwardInput, ForwardOutput, ModelConfig } from "./model-session.ts";
export { EngineRequest } from "./request.ts";
export type { GenerationResult, RequestTimings, RetrievedPassage } from "./request.ts";
export { Sampler, seededRandom } from "./sampler.ts";
export type { Random, SamplingParams } from "./sampler.ts";
export { StreamDecoder, Tokenizer } from "./tokenizer.ts";
