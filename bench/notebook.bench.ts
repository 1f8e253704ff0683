// What the notebook extension (%load_ext headroom) costs per cell, in a real ipykernel that
// reports to the real listener: a cell run with the hooks registered against the same cell
// without them, in one kernel, interleaved; and end to end, execute_requests as a front end
// sends them, extension loaded against unloaded, interleaved. And what it costs unloaded.
import { spawn, spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { ProtocolListener } from '../src/engine/protocol/listener';
import { RecordIngest } from '../src/engine/session/recordIngest';
import { MemoryStore } from '../src/engine/store/memoryStore';
import { median, report } from './harness';

const PY = '/usr/bin/python3';
const workload = join(__dirname, 'notebook_workload.py');
const KERNELS = 3; // one fresh kernel per run
const BLOCKS = 16; // ABBA blocks of in-kernel runs, per cell size
const CELLS = 100; // runs per block
const E2E_BLOCKS = 8;
const E2E_CELLS = 25;

interface Figures {
  hooks_before_load: number;
  hooks_loaded: number;
  in_kernel: { small: { on: number; off: number }; large: { on: number; off: number }; hooks_pair_us: number };
  e2e_on_us: number;
  e2e_off_us: number;
  cells_on: number;
}

function run(env: NodeJS.ProcessEnv): Promise<Figures> {
  return new Promise((resolve, reject) => {
    const c = spawn(PY, [workload, String(BLOCKS), String(CELLS), String(E2E_BLOCKS), String(E2E_CELLS)], { env, stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    c.stdout.on('data', (d) => (out += d));
    c.on('exit', (code) => (code === 0 ? resolve(JSON.parse(out.trim().split('\n').pop() as string) as Figures) : reject(new Error(`workload exited ${code}`))));
  });
}

async function main() {
  const missing = spawnSync(PY, ['-c', 'import ipykernel, jupyter_client'], { encoding: 'utf8' }).stderr.trim();
  if (missing) throw new Error(`ipykernel/jupyter_client are not installed (run scripts/ensure-system-deps.sh as root): ${missing}`);
  const ingest = new RecordIngest(new MemoryStore());
  const listener = new ProtocolListener({ onRecords: (_c, b) => ingest.addBatch(b) });
  await listener.start();
  const env: NodeJS.ProcessEnv = { ...process.env, ...listener.env(listener.issueToken('notebook-bench')) };
  const t0 = performance.now();
  const runs: Figures[] = [];
  for (let k = 0; k < KERNELS; k++) {
    console.error(`[notebook bench] kernel ${k + 1}/${KERNELS}`);
    runs.push(await run(env));
  }
  await new Promise((r) => setTimeout(r, 200)); // the last records in flight
  listener.dispose();
  const m = (f: (x: Figures) => number) => median(runs.map(f));
  const small = m((r) => r.in_kernel.small.on - r.in_kernel.small.off);
  const large = m((r) => r.in_kernel.large.on - r.in_kernel.large.off);
  const e2e = m((r) => r.e2e_on_us - r.e2e_off_us);
  const versions = spawnSync(PY, ['-c', 'import ipykernel, IPython, jupyter_client; print(ipykernel.__version__, IPython.__version__, jupyter_client.__version__)'], { encoding: 'utf8' }).stdout.trim().split(' ');
  report(
    'notebook',
    {
      cost_per_cell_us: small,
      cost_per_cell_us_100_line_cell: large,
      cell_us_loaded: m((r) => r.in_kernel.small.on),
      cell_us_unloaded: m((r) => r.in_kernel.small.off),
      cell_us_100_lines_loaded: m((r) => r.in_kernel.large.on),
      cell_us_100_lines_unloaded: m((r) => r.in_kernel.large.off),
      loaded_vs_unloaded_x: m((r) => r.in_kernel.small.on / r.in_kernel.small.off),
      loaded_vs_unloaded_x_100_lines: m((r) => r.in_kernel.large.on / r.in_kernel.large.off),
      hooks_pair_us: m((r) => r.in_kernel.hooks_pair_us),
      execute_request_us_loaded: m((r) => r.e2e_on_us),
      execute_request_us_unloaded: m((r) => r.e2e_off_us),
      execute_request_cost_us: e2e,
      hooks_registered_before_load: Math.max(...runs.map((r) => r.hooks_before_load)),
      hooks_registered_loaded: Math.min(...runs.map((r) => r.hooks_loaded)),
      records_ingested: ingest.records,
      target_under_1ms_per_cell: Math.max(small, large) < 1000 ? 'met' : 'missed',
      seconds: (performance.now() - t0) / 1000,
    },
    {
      method: `${KERNELS} fresh ipykernel processes (/usr/bin/python3, started by jupyter_client) reporting to the real listener, whose records RecordIngest takes in. In each kernel, one cell times IPython's own run_cell of a cell ('pass'; and a 100-line, 8 kB cell of assignments) ${BLOCKS} blocks of ${CELLS} runs per size, with the extension's pre_run_cell/post_run_cell hooks registered and not in ABBA order (what %load_ext and %unload_ext do), the median run per state; cost_per_cell_us: loaded minus unloaded, median over kernels. hooks_pair_us: one pre_run_cell + post_run_cell call pair alone, with IPython's ExecutionInfo/ExecutionResult. execute_request_*: execute_requests of 'pass' with VS Code's cellId metadata, from jupyter_client in another process, timed from send to the kernel's idle, in ${E2E_BLOCKS} alternating (ABBA) blocks of ${E2E_CELLS} with %load_ext / %unload_ext between blocks; includes ZeroMQ round trips, so it is noisier. hooks_registered_before_load: pre/post_run_cell callbacks from headroom in a kernel that has imported headroom but not loaded the extension (0: nothing runs per cell).`,
      ipykernel: versions[0],
      ipython: versions[1],
      jupyter_client: versions[2],
      python: PY,
    },
  );
}

void main().then(() => process.exit(0));
