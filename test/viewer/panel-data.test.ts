// Why a dashboard panel is empty or too sparse to read, as the viewer and the PNG renderer say it: a run of a
// few seconds cannot fill a rate() window, nothing scraped means the target is down.
import { test } from "node:test";
import assert from "node:assert/strict";
import { emptyReason } from "../../src/viewer/panel-data.ts";

const RATE = ['sum by (endpoint) (rate(request_total[20s]))'];

test("a rate() panel with one point names the window, the scrape interval and how many scrapes there were", () => {
  assert.equal(emptyReason(RATE, 1, 2, 5),
    "only 1 point: rate() over 20s needs two scrapes (every 5 s) after a series first appears, and Prometheus scraped miniserve 2 times in this range. Quick mode's few seconds are too short; a longer run fills it.");
  assert.match(emptyReason(RATE, 0, 3, 5), /^rate\(\) over 20s needs two scrapes/);
});

test("nothing scraped at all is said first; a gauge with few points blames the short scrape history", () => {
  assert.equal(emptyReason(RATE, 0, 0, 5), "Prometheus has not scraped miniserve in this range: is its target up?");
  assert.equal(emptyReason(["process_resident_memory_bytes"], 2, 2, 5), "only 2 points: Prometheus scraped miniserve 2 times in this range (every 5 s). A longer run fills it.");
  assert.equal(emptyReason(["queue_depth"], 0, 12, 5), "nothing observed for this query yet; Prometheus scraped miniserve 12 times in this range.");
  assert.equal(emptyReason(["queue_depth"], 0, null, 5), "nothing observed for this query yet.");
});
