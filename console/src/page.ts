import type { ConsoleApi } from "./api.js";
import type { ConsoleConfig } from "./config.js";

/** What a page gets: the API, the element it draws into, its route, and a timer that stops when it is left. */
export interface PageContext {
  api: ConsoleApi;
  config: ConsoleConfig;
  root: HTMLElement;
  /** The route after the page name: `#/tasks/<id>` → ["<id>"]. */
  path: string[];
  params: URLSearchParams;
  /** Repeats `work` every `ms` until the operator goes to another page. */
  every(ms: number, work: () => Promise<void>): void;
  /** Is this page still the one on screen? A slow answer for a page already left is dropped. */
  current(): boolean;
}

export type Page = (ctx: PageContext) => Promise<void>;
