// Lab 01's USE-gauge check: a burst larger than the KV slots queues on a real engine while the
// learner's kv_cache_slots_used and queue_depth are read after every batch of engine events and
// compared with the state the events themselves say the engine is in.
import { register } from "prom-client";
import { startProbeEngine } from "./engine-probe.ts";

export interface GaugeSample {
  /** From the events: enqueued and not yet scheduled (or dropped), scheduled and not yet finished. */
  readonly queued: number;
  readonly running: number;
  /** The learner's gauges at the same moment (null: the metric is not on the registry). */
  readonly slotsGauge: number | null;
  readonly queueGauge: number | null;
}

export interface GaugeProbe {
  readonly slots: number;
  readonly burst: number;
  readonly samples: readonly GaugeSample[];
  /** Samples taken while requests waited and every slot was busy: where a wrong gauge shows. */
  readonly saturated: number;
  readonly mismatch: GaugeSample | null;
  readonly errors: readonly string[];
}

async function gauge(name: string): Promise<number | null> {
  const metric = register.getSingleMetric(name);
  if (!metric) return null;
  const data = await metric.get();
  return data.values[0]?.value ?? 0;
}

/** Submits `burst` generations to an engine with `slots` KV slots and samples after each step. */
export async function probeUseGauges(repoRoot: string, slots = 4, burst = 14): Promise<GaugeProbe> {
  const probe = await startProbeEngine(repoRoot, { MINISERVE_KV_SLOTS: String(slots), MINISERVE_QUEUE_CAPACITY: "64" });
  const { engine } = probe;
  const samples: GaugeSample[] = [];
  let queued = 0;
  let running = 0;
  engine.events.on("enqueued", () => void queued++);
  engine.events.on("scheduled", () => {
    queued--;
    running++;
  });
  engine.events.on("finished", ({ request }) => {
    if (request.timings.scheduledMs !== undefined) running--;
    else queued--;
  });
  // Both gauges are read in the same synchronous turn (prom-client runs collect() inside get()),
  // after the whole batch of events from one engine iteration has been applied.
  const sample = async (): Promise<void> => {
    const at = { queued, running };
    const [slotsGauge, queueGauge] = await Promise.all([gauge("kv_cache_slots_used"), gauge("queue_depth")]);
    samples.push({ ...at, slotsGauge, queueGauge });
  };
  let pending = false;
  engine.events.on("step", () => {
    if (pending || samples.length >= 400) return;
    pending = true;
    queueMicrotask(() => {
      pending = false;
      void sample();
    });
  });
  try {
    const handles = Array.from({ length: burst }, (_, i) => engine.submit({
      prompt: `Request ${i} of a burst that is larger than the cache`, maxTokens: 24, temperature: 0, topP: 1, seed: i, ignoreEos: true,
    }));
    await sample();
    await Promise.all(handles.map((h) => h.done));
    await sample();
  } finally {
    await probe.close();
  }
  const saturated = samples.filter((s) => s.queued > 0 && s.running === slots).length;
  const wrong = (s: GaugeSample) => s.slotsGauge !== s.running || s.queueGauge !== s.queued;
  // A mismatch while every slot is busy and requests wait says most; any other is next best.
  const mismatch = samples.find((s) => wrong(s) && s.queued > 0 && s.running === slots) ?? samples.find(wrong) ?? null;
  return { slots, burst, samples, saturated, mismatch, errors: probe.errors };
}
