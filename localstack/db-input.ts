import { tokens } from "./data-api/statement.js";

/**
 * Cuts typed SQL into whole statements at each `;` that is not inside a string, a quoted
 * identifier, a dollar-quoted body or a comment (the stand-in's own tokenizer decides), as psql
 * does: `rest` is what still waits for its `;`. Statements come back without their `;`.
 */
export function splitStatements(text: string): { statements: string[]; rest: string } {
  const statements: string[] = [];
  let current = "";
  for (const token of tokens(text)) {
    if (token.kind !== "semicolon") {
      current += token.text;
      continue;
    }
    if (hasStatement(current)) statements.push(current.trim());
    current = "";
  }
  return { statements, rest: current };
}

/** Whether the text holds anything but blanks and comments, i.e. something worth sending. */
export function hasStatement(text: string): boolean {
  for (const token of tokens(text)) if (token.kind !== "space" && token.kind !== "comment") return true;
  return false;
}
