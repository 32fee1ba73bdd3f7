import type { Migration } from "../migration.js";
import { migration as core } from "./0001_core.js";

/** Applied in this order; ids are never renamed or reused once deployed. */
export const migrations: Migration[] = [core];
