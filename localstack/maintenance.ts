import { ApiProblem, createApiClient } from "../functions/contracts/api/client.js";
import { maintenanceStepNames } from "../functions/contracts/maintenance.js";
import { oneOf, parseCommandLine, runCommand } from "./cli.js";
import { readLocalOutputs } from "./deploy.js";
import { localToken } from "./token.js";

const usage = `usage: npm run maintenance [-- --fail-at <step>]
  starts a maintenance run on the local stack and follows it step by step
  --fail-at <step>  rehearse a run that fails at this step (local stage only)
  steps: ${maintenanceStepNames.join(", ")}`;

/** What a maintenance run's event holds in its payload (functions/maintenance writes it). */
interface RunPayload {
  steps?: { step: string; status: string; details: unknown }[];
  failedStep?: string;
  error?: string;
}

/** `npm run maintenance [-- --fail-at <step>]`: starts a run on the local stack and follows its event to the end. */
async function main(): Promise<void> {
  const { values } = parseCommandLine({ usage, args: { options: { "fail-at": { type: "string" } } } });
  const failAt = values["fail-at"] === undefined ? undefined : oneOf("step", values["fail-at"], maintenanceStepNames);
  const outputs = readLocalOutputs();
  const token = await localToken({ sub: "maintenance-cli", admin: true }, outputs);
  const api = createApiClient({ baseUrl: outputs.apiUrl, token });

  const started = await api.startMaintenanceRun({ body: failAt ? { failAt } : {} }).catch((error: unknown) => {
    // A refusal (409: a run is already going) is problem details; say it in one line.
    throw error instanceof ApiProblem ? new Error(`could not start: ${error.message}`) : error;
  });
  console.log(`maintenance run ${started.runId} started`);
  let last = "";
  for (;;) {
    const { items } = await api.listEvents({ query: { topic: "server.maintenance", limit: 20 } });
    const event = items.find((e) => e.id === started.eventId);
    const line = `${event?.status}: ${event?.description}`;
    if (event && line !== last) console.log(`  ${line}`);
    last = line;
    if (event && event.status !== "in_progress" && event.status !== "pending") {
      const payload = event.payload as RunPayload;
      for (const step of payload.steps ?? [])
        console.log(`  - ${step.step}: ${step.status} ${JSON.stringify(step.details)}`);
      if (event.status === "failed") console.log(`  failed at ${payload.failedStep}: ${payload.error}`);
      process.exit(event.status === "finished" ? 0 : 1);
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

await runCommand(usage, main);
