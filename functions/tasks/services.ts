import { mediaService } from "../media/from-env.js";
import { mailerFromEnv } from "../notifications/from-env.js";
import type { TaskServices } from "./definition.js";

/** The worker's task services, each created the first time a task asks for it. */
export function taskServicesFromEnv(env: NodeJS.ProcessEnv = process.env): TaskServices {
  return { media: () => mediaService(env), mailer: () => mailerFromEnv(env) };
}
