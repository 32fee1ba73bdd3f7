import type { Logger } from "@aws-lambda-powertools/logger";

/** Marks the runner's ECS task as busy or idle for ECS's scale-in. */
export interface ScaleInProtection {
  set(busy: boolean): Promise<void>;
}

/**
 * ECS task scale-in protection through the container agent's endpoint (ECS_AGENT_URI). When the
 * backlog shrinks, ECS stops some runner; unprotected, it may pick one in the middle of a 30-minute
 * task (which would be released and start over elsewhere) while an idle one stays. A busy runner
 * is protected for `minutes` (its queue's longest hard limit and a margin), renewed at each task it
 * starts, and unprotected when it has nothing left to run. Without an agent (locally) it does nothing.
 */
export function scaleInProtection(agentUri: string | undefined, minutes: number, logger: Logger): ScaleInProtection {
  if (!agentUri) return { set: () => Promise.resolve() };
  const expiresInMinutes = Math.max(1, Math.min(2880, Math.ceil(minutes)));
  return {
    async set(busy) {
      try {
        const response = await fetch(`${agentUri}/task-protection/v1/state`, {
          method: "PUT",
          headers: { "content-type": "application/json" },
          body: JSON.stringify(
            busy ? { ProtectionEnabled: true, ExpiresInMinutes: expiresInMinutes } : { ProtectionEnabled: false },
          ),
          signal: AbortSignal.timeout(5_000),
        });
        if (!response.ok) logger.warn("Scale-in protection not changed", { busy, status: response.status });
      } catch (error) {
        // Unprotected, a busy runner may be stopped by a scale-in: its tasks are then released, not lost.
        logger.warn("Scale-in protection not changed", { busy, error: error as Error });
      }
    },
  };
}
