import * as z from "zod";

/**
 * Errors as RFC 9457 problem details: every answer of 400 or more is one of these, served as
 * `application/problem+json`. `type` names the kind of problem (`about:blank` when the status says
 * it all), `title` is the same for every problem of that type, `detail` is about this request.
 */
export const PROBLEM_CONTENT_TYPE = "application/problem+json";

/** The type of a 400 whose `errors` name each field that was refused. */
export const VALIDATION_PROBLEM_TYPE = "urn:groundcrew:problem:validation";

/** One refused field: `path` is where it sits in the request (`body.priority`, `query.limit`, `path.id`). */
export const fieldErrorSchema = z.strictObject({ path: z.string(), message: z.string() }).meta({ id: "FieldError" });

export const problemSchema = z
  .object({
    type: z.string().meta({ description: "A URI naming the kind of problem; about:blank when the status says it all" }),
    title: z.string(),
    status: z.number().int().min(400).max(599),
    detail: z.string().optional(),
    instance: z.string().optional(),
    /** Validation problems only: every field that was refused. */
    errors: z.array(fieldErrorSchema).optional(),
  })
  .meta({ id: "Problem", description: "RFC 9457 problem details" });

export type FieldError = z.infer<typeof fieldErrorSchema>;
export type Problem = z.infer<typeof problemSchema>;
