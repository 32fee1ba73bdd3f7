import { readFileSync } from "node:fs";
import { parseArgs } from "node:util";
import { outputsFile } from "./env.js";
import { localToken } from "./token.js";

/** `npm run maintenance [-- --fail-at <step>]`: starts a run on the local stack and follows its event to the end. */
const { values } = parseArgs({ options: { "fail-at": { type: "string" } } });
const outputs = JSON.parse(readFileSync(outputsFile, "utf8")) as Record<string, string>;
const token = await localToken({ sub: "maintenance-cli", admin: true }, outputs);

/** The parts of the API's answers this script reads (POST /maintenance/runs, GET /events). */
interface StartAnswer {
  runId?: string;
  eventId?: string;
  error?: string;
}
interface MaintenanceEvent {
  id: string;
  status: string;
  description: string;
  payload: { steps?: { step: string; status: string; details: unknown }[]; failedStep?: string; error?: string };
}

const call = async <T>(path: string, init: RequestInit = {}) => {
  const response = await fetch(`${outputs.apiUrl}${path}`, {
    ...init,
    headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
  });
  return { status: response.status, body: (await response.json()) as T };
};

const started = await call<StartAnswer>("/maintenance/runs", {
  method: "POST",
  body: JSON.stringify(values["fail-at"] ? { failAt: values["fail-at"] } : {}),
});
if (started.status !== 202) {
  console.error(`could not start: ${started.status} ${started.body.error ?? ""}`);
  process.exit(1);
}
console.log(`maintenance run ${started.body.runId} started`);
let last = "";
for (;;) {
  const { body } = await call<{ events: MaintenanceEvent[] }>("/events?topic=server.maintenance&limit=20");
  const event = body.events.find((e) => e.id === started.body.eventId);
  const line = `${event?.status}: ${event?.description}`;
  if (event && line !== last) console.log(`  ${line}`);
  last = line;
  if (event && event.status !== "in_progress") {
    for (const step of event.payload.steps ?? [])
      console.log(`  - ${step.step}: ${step.status} ${JSON.stringify(step.details)}`);
    if (event.status === "failed") console.log(`  failed at ${event.payload.failedStep}: ${event.payload.error}`);
    process.exit(event.status === "finished" ? 0 : 1);
  }
  await new Promise((resolve) => setTimeout(resolve, 200));
}
