import { stopDataApi } from "./data-api-process.js";
import { stopEmulator } from "./emulator.js";
import { stopRunners } from "./runner-process.js";

/** `npm run local:down`: stops what local:up started; an emulator it found running is left alone. */
export async function localDown(): Promise<void> {
  // Runners first: they release their tasks while the database and the queues still answer.
  const runners = await stopRunners();
  if (runners.length > 0) console.log(`[local:down] runners stopped: ${runners.join(", ")}`);
  const api = await stopDataApi();
  const emulator = await stopEmulator();
  console.log(
    `[local:down] data API ${api ? "stopped" : "was not ours or not running"}; emulator ${emulator ? "stopped" : "was not ours or not running"}`,
  );
}

if (import.meta.url === `file://${process.argv[1]}`) await localDown();
