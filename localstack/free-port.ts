import { createServer } from "node:net";

/**
 * A TCP port free on loopback right now, for a process the caller is about to start. No imports of the
 * test bed's settings (env.ts reads the environment once): tests pick a port before they set it.
 */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      server.close(() =>
        typeof address === "object" && address ? resolve(address.port) : reject(new Error("no free port on loopback")),
      );
    });
  });
}
