import { parseCommandLine, runCommand } from "./cli.js";
import { stopDataApi } from "./data-api-process.js";
import { stopEmulator } from "./emulator.js";
import { stopFrontDoor } from "./front-door-process.js";
import { stopRunners } from "./runner-process.js";

/** `npm run local:down`: stops what local:up started; an emulator it found running is left alone. */
export async function localDown(): Promise<void> {
  // Runners first: they release their tasks while the database and the queues still answer.
  const runners = await stopRunners();
  if (runners.length > 0) console.log(`[local:down] runners stopped: ${runners.join(", ")}`);
  if (await stopFrontDoor()) console.log("[local:down] front door stopped");
  const api = await stopDataApi();
  const emulator = await stopEmulator();
  console.log(
    `[local:down] data API ${api ? "stopped" : "was not ours or not running"}; emulator ${emulator ? "stopped" : "was not ours or not running"}`,
  );
}

const usage = `usage: npm run local:down
  stops what npm run local:up started (an emulator it found running is left alone)`;

if (import.meta.url === `file://${process.argv[1]}`) {
  await runCommand(usage, async () => {
    parseCommandLine({ usage, args: { options: {} } });
    await localDown();
  });
}
