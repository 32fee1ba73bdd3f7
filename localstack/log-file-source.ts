import { closeSync, existsSync, openSync, readSync, statSync } from "node:fs";

/**
 * `tail -f` of one process log under .local/logs (emulator, data-api, runner-<queue>), from where it
 * ends when following starts. Only whole lines are passed on; a file that shrank (rotated or
 * recreated by a restart) is read again from its start.
 */
export class FileLogSource {
  private position: number;
  private partial = "";

  constructor(private readonly path: string) {
    this.position = existsSync(path) ? statSync(path).size : 0;
  }

  read(): string[] {
    if (!existsSync(this.path)) return [];
    const size = statSync(this.path).size;
    if (size < this.position) {
      this.position = 0;
      this.partial = "";
    }
    if (size === this.position) return [];
    const fd = openSync(this.path, "r");
    try {
      const buffer = Buffer.alloc(size - this.position);
      const read = readSync(fd, buffer, 0, buffer.length, this.position);
      this.position += read;
      const lines = (this.partial + buffer.subarray(0, read).toString("utf8")).split("\n");
      this.partial = lines.pop() ?? "";
      return lines;
    } finally {
      closeSync(fd);
    }
  }
}
