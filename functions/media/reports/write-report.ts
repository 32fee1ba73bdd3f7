import type { MediaObject } from "../media-object.js";
import type { MediaService } from "../service.js";
import { toCsv, type CsvValue } from "./csv.js";

export interface CsvReport {
  /** Who may download it: the user who asked, or a service name for scheduled reports. */
  owner: string;
  filename: string;
  header: string[];
  rows: CsvValue[][];
}

/** Writes a CSV into media and returns the stored object; tasks return its id to the caller. */
export async function writeCsvReport(media: MediaService, report: CsvReport): Promise<MediaObject> {
  const body = new TextEncoder().encode(toCsv(report.header, report.rows));
  return media.storeGenerated(report.owner, report.filename, "text/csv", body);
}
