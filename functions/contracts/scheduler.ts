/**
 * How long a slot claim stays its claimer's. Longer than a tick can live (the dispatcher's timeout,
 * checked at synth), so a live tick is never overtaken; once it ends, a claim whose work was never
 * handed over (the claimer died between claim and enqueue) goes to whichever tick still finds that
 * slot due. A contract: CDK checks the dispatcher timeout against it without loading database code.
 */
export const CLAIM_LEASE_SECONDS = 180;
