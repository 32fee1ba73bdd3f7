import { spawnSync } from "node:child_process";
import { buildBundles, printSizes, type Bundle } from "./bundles.js";
import { functionEnvironments } from "./function-environments.js";

/**
 * `npx tsx bench/cold-start.ts [rounds] [function ...]`: the CPU time of loading each deployed bundle
 * (what Lambda's init phase spends before the first request), beside a bare handler importing the same
 * SDK packages, and beside the peers a leaner stack would use (Hono, Powertools' router, Powertools'
 * BatchProcessor). Every load is a fresh `node` process; the processes run interleaved, round after
 * round, and the median is kept, so a neighbour's load spike hits every bundle alike. Each bundle is
 * loaded as deployed (no flag) and with --enable-source-maps (Node then parses the map at load).
 */
const rounds = Number(process.argv[2] ?? 15);
const names = process.argv.slice(3);
const bundles = await buildBundles(names.length > 0 ? names : ["api", "worker", "dispatcher"]);
printSizes(bundles);

// What a deployed function finds in its environment at load (its own variables from the stack), plus the runtime's.
const deployed = functionEnvironments();
const base = {
  ...process.env,
  AWS_REGION: "eu-west-1",
  AWS_ACCESS_KEY_ID: "bench",
  AWS_SECRET_ACCESS_KEY: "bench",
  POWERTOOLS_SERVICE_NAME: "bench",
  POWERTOOLS_LOG_LEVEL: "ERROR",
  POWERTOOLS_METRICS_DISABLED: "true",
};
delete (base as NodeJS.ProcessEnv).NODE_OPTIONS;
const envOf = (bundle: Bundle) => ({ ...base, ...deployed.get(bundle.name.split(":")[0] ?? "") });

/** Bundles that threw while loading, with the error's own line; they are reported, not measured. */
const failures = new Map<string, string>();

/** CPU microseconds (user + system) spent in require() of the bundle, in a new process. */
function loadCpu(bundle: Bundle, sourceMaps: boolean): number {
  const script =
    `const t=process.cpuUsage();require(${JSON.stringify(bundle.file)});const d=process.cpuUsage(t);` +
    `process.stdout.write(String(d.user+d.system));`;
  const args = [...(sourceMaps ? ["--enable-source-maps"] : []), "-e", script];
  const run = spawnSync(process.execPath, args, { env: envOf(bundle), encoding: "utf8" });
  if (run.status === 0) return Number(run.stdout);
  // A minified bundle prints its whole line of code before the error: keep the error's own line.
  const message = run.stderr.split("\n").find((line) => /^\w*Error\b/.test(line)) ?? `exit ${run.status}`;
  failures.set(bundle.name, message.slice(0, 200));
  return Number.NaN;
}

const modes = [false, true] as const;
const samples = new Map<string, number[]>();
const key = (bundle: Bundle, sourceMaps: boolean) => `${bundle.name}|${sourceMaps}`;
for (let round = 0; round < rounds; round++) {
  // Rotated each round so no bundle always runs right after the same neighbour.
  const order = bundles.map((_, i) => bundles[(i + round) % bundles.length] as Bundle);
  for (const bundle of order) {
    if (failures.has(bundle.name)) continue;
    for (const sourceMaps of modes) {
      const list = samples.get(key(bundle, sourceMaps)) ?? [];
      list.push(loadCpu(bundle, sourceMaps));
      samples.set(key(bundle, sourceMaps), list);
    }
  }
}

const median = (values: readonly number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? (sorted[mid] as number) : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2;
};
const ms = (us: number) => `${(us / 1000).toFixed(1)} ms`.padStart(9);
const ratio = (value: number, of: number) => `${(value / of).toFixed(2)}x`.padStart(7);

console.log(`\ncold module-load CPU, median of ${rounds} fresh processes each (ratios are the figures to compare):`);
console.log(
  `${"bundle".padEnd(26)}${"load".padStart(9)}${"vs bare".padStart(8)}${"+maps".padStart(9)}${"vs bare".padStart(8)}${"maps cost".padStart(10)}`,
);
for (const bundle of bundles) {
  const plain = median(samples.get(key(bundle, false)) ?? []);
  const mapped = median(samples.get(key(bundle, true)) ?? []);
  const peer = bundles.find((b) => b.name === bundle.peer) ?? bundle;
  const peerPlain = median(samples.get(key(peer, false)) ?? []);
  const peerMapped = median(samples.get(key(peer, true)) ?? []);
  console.log(
    `${bundle.name.padEnd(26)}${ms(plain)} ${ratio(plain, peerPlain)}${ms(mapped)} ${ratio(mapped, peerMapped)}${ratio(mapped, plain).padStart(10)}`,
  );
}
for (const [name, message] of failures) console.log(`${name} did not load: ${message}`);
