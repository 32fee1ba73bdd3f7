import type { Migration } from "../migration.js";
import { migration as core } from "./0001_core.js";
import { migration as tasks } from "./0002_tasks.js";
import { migration as schedules } from "./0003_schedules.js";
import { migration as eventsMaintenance } from "./0004_events_maintenance.js";
import { migration as media } from "./0005_media.js";
import { migration as scheduleClaims } from "./0006_schedule_claims.js";
import { migration as taskKeyScopes } from "./0007_task_key_scopes.js";
import { migration as scheduleWallClockSlots } from "./0008_schedule_wall_clock_slots.js";
import { migration as scheduleChoices } from "./0009_schedule_choices.js";
import { migration as taskWakeUps } from "./0010_task_wake_ups.js";
import { migration as queueSlots } from "./0011_queue_slots.js";
import { migration as notifications } from "./0012_notifications.js";

/** Applied in this order; ids are never renamed or reused once deployed. */
export const migrations: Migration[] = [
  core,
  tasks,
  schedules,
  eventsMaintenance,
  media,
  scheduleClaims,
  taskKeyScopes,
  scheduleWallClockSlots,
  scheduleChoices,
  taskWakeUps,
  queueSlots,
  notifications,
];
