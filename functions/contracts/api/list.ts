import * as z from "zod";

/**
 * The one shape of every list the API answers: the items of this page, and the cursor of the next
 * one (null on the last page). A list that does not page yet always answers null.
 */
export function listOf<T extends z.ZodType>(item: T) {
  return z.strictObject({
    items: z.array(item),
    nextCursor: z.string().nullable().meta({ description: "Pass as `cursor` for the next page; null on the last" }),
  });
}

export interface List<T> {
  items: T[];
  nextCursor: string | null;
}

/** A list that is always one page. */
export const onePage = <T>(items: T[]): List<T> => ({ items, nextCursor: null });
