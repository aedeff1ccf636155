import 'reflect-metadata';
import { RequestState } from '../../src/capture/request-state';
import { resolveRequestId } from '../../src/capture/request-id';
import { resolveAnalyticsOptions } from '../../src/options/analytics-options.factory';
import { AnalyticsCounters } from '../../src/pipeline/analytics-counters';
import { BatchEncoder } from '../../src/pipeline/batch-encoder';
import { RecordFactory } from '../../src/records/record.factory';
import { requestDump, setInstrumentation } from '../lib/callgrind';

/**
 * The batch path of one GET /hello, without HTTP: make the finished requests' states,
 * encode them into a job payload, and serialise it as Bull does. Run by
 * bench/instructions.ts under callgrind with counting off; each step is warmed up, then
 * counted in a window of its own, written to its own dump (`<out file>.1`, `.2`, `.3`).
 * The differences between steps are each step's instructions per record.
 *
 * Steps: `states` (what the request path leaves in the buffer), `encode` (+ the rows and
 * the column layout), `stringify` (+ `JSON.stringify` of the payload, as `Job.toData`).
 */
const BATCH_PATH_STEPS = ['states', 'encode', 'stringify'] as const;
type Step = (typeof BATCH_PATH_STEPS)[number];
const BATCHES = Number(process.env.BATCH_PATH_BATCHES ?? 200);
/** Records per job when the buffer's count threshold (100 by default) sends a batch. */
const BATCH_SIZE = 100;

const encoder = new BatchEncoder(new RecordFactory(resolveAnalyticsOptions({}, {})), new AnalyticsCounters());
const noUser = () => undefined;
let sink = 0;

function states(): RequestState[] {
  const batch: RequestState[] = [];
  for (let i = 0; i < BATCH_SIZE; i++) {
    const state = new RequestState({}, noUser, performance.now(), Date.now(), 'GET', '/hello', '', resolveRequestId(undefined), undefined, '::ffff:127.0.0.1', 'autocannon/8', undefined);
    state.route = '/hello';
    state.handler = 'BenchController.hello';
    state.finish(200, 12);
    batch.push(state);
  }
  return batch;
}

function run(step: Step, batches: number): void {
  for (let b = 0; b < batches; b++) {
    const batch = states();
    if (step === 'states') {
      sink += batch.length;
      continue;
    }
    const payload = encoder.encode(batch);
    sink += step === 'encode' ? payload.v : JSON.stringify(payload).length;
  }
}

for (const step of BATCH_PATH_STEPS) {
  run(step, BATCHES);
  setInstrumentation(process.pid, true);
  run(step, BATCHES);
  setInstrumentation(process.pid, false);
  requestDump(process.pid);
}
console.log(JSON.stringify({ steps: BATCH_PATH_STEPS, recordsPerStep: BATCHES * BATCH_SIZE, sink }));
