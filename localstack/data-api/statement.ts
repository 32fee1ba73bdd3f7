import { hintedCast } from "./hints.js";
import { ValidationError, WireError } from "./wire-errors.js";
import type { WireParameter } from "./wire.js";

/**
 * Rewrites `:name` placeholders into `$n` and orders their values. Each placeholder carries the type
 * Aurora binds it with: an unhinted stringValue is `varchar` (API reference, SqlParameter.typeHint; the
 * "operator does not exist: uuid = character varying" reports in typeorm-aurora-data-api-driver#81 and
 * drizzle-orm#2583), longValue `int8`, doubleValue `float8`, booleanValue `bool`, blobValue `bytea`, a
 * hinted string the hint's type. Names are letters, digits and underscores, so kysely-data-api's and
 * drizzle's `:0`, `:1` are placeholders too. Quoted strings and identifiers, comments and `::` casts are
 * left alone. A second statement is refused as Serverless v2 refuses it.
 */
export function bindParameters(sql: string, parameters: WireParameter[] = []): { text: string; values: unknown[] } {
  const byName = new Map<string, WireParameter>();
  for (const parameter of parameters)
    if (parameter.name !== undefined && !byName.has(parameter.name)) byName.set(parameter.name, parameter);
  const positions = new Map<string, string>();
  const values: unknown[] = [];
  let text = "";
  let ended = false;
  for (const token of tokens(sql)) {
    if (ended && token.kind !== "space" && token.kind !== "comment" && token.kind !== "semicolon") {
      // "Comparing Amazon RDS Data API behaviors…", Multistatement support (Serverless v2).
      throw new ValidationError("Multistatements aren't supported.");
    }
    if (token.kind === "semicolon") ended = true;
    if (token.kind === "dollar" && /(^|[^:]):[A-Za-z0-9_]/.test(token.text)) {
      // The live service substitutes placeholders inside dollar quotes (`SELECT $$a :b c$$` answers
      // `a $1 c`): a silently wrong statement, refused here instead.
      throw new WireError(
        "A dollar-quoted string contains ':name', which the Data API would replace with a parameter. Pass the text as a parameter instead.",
      );
    }
    if (token.kind !== "parameter") {
      text += token.text;
      continue;
    }
    const name = token.text.slice(1);
    let placeholder = positions.get(name);
    if (placeholder === undefined) {
      const parameter = byName.get(name);
      if (!parameter) throw new WireError(`No value specified for parameter: ${name}`);
      const bound = bindValue(name, parameter);
      values.push(bound.value);
      placeholder = bound.cast ? `$${values.length}::${bound.cast}` : `$${values.length}`;
      positions.set(name, placeholder);
    }
    text += placeholder;
  }
  return { text, values };
}

function bindValue(name: string, parameter: WireParameter): { value: unknown; cast?: string } {
  const value = parameter.value ?? { isNull: true };
  if (value.isNull) return { value: null };
  if (value.stringValue !== undefined) {
    if (parameter.typeHint === undefined) return { value: value.stringValue, cast: "varchar" };
    return { value: value.stringValue, cast: hintedCast(name, parameter.typeHint, value.stringValue) };
  }
  if (parameter.typeHint !== undefined)
    throw new WireError(`Type hint ${parameter.typeHint} applies only to stringValue (parameter ${name}).`);
  if (value.longValue !== undefined)
    return {
      value: typeof value.longValue === "number" ? String(value.longValue) : value.longValue.digits,
      cast: "int8",
    };
  if (value.doubleValue !== undefined) return { value: String(value.doubleValue), cast: "float8" };
  if (value.booleanValue !== undefined) return { value: value.booleanValue ? "true" : "false", cast: "bool" };
  if (value.blobValue !== undefined) return { value: Buffer.from(value.blobValue, "base64"), cast: "bytea" };
  // Field reference: "arrayValue … Array parameters are not supported."
  if (value.arrayValue !== undefined) throw new WireError("Array parameters are not supported.");
  return { value: null };
}

type TokenKind = "quoted" | "dollar" | "comment" | "space" | "cast" | "parameter" | "semicolon" | "other";
interface Token {
  kind: TokenKind;
  text: string;
}

/** Splits SQL into the pieces placeholder rewriting and statement counting must tell apart. */
export function* tokens(sql: string): Generator<Token> {
  let i = 0;
  while (i < sql.length) {
    const token = tokenAt(sql, i);
    yield token;
    i += token.text.length;
  }
}

function tokenAt(sql: string, i: number): Token {
  const rest = sql.slice(i);
  const ch = sql[i] as string;
  if (/[eE]/.test(ch) && rest[1] === "'" && !/[A-Za-z0-9_$]/.test(sql[i - 1] ?? "")) {
    // E'…' escapes with backslashes (\' is a quote inside the string); the E must start a word.
    return { kind: "quoted", text: `${ch}${/^'(?:[^'\\]|\\[\s\S]|'')*'?/.exec(rest.slice(1))?.[0] ?? rest.slice(1)}` };
  }
  if (ch === "'") return { kind: "quoted", text: /^'(?:[^']|'')*'?/.exec(rest)?.[0] ?? rest };
  if (ch === '"') return { kind: "quoted", text: /^"(?:[^"]|"")*"?/.exec(rest)?.[0] ?? rest };
  if (rest.startsWith("--")) return { kind: "comment", text: /^--[^\n]*/.exec(rest)?.[0] ?? rest };
  if (rest.startsWith("/*")) return { kind: "comment", text: blockComment(rest) };
  if (ch === "$" && !/[A-Za-z0-9_$]/.test(sql[i - 1] ?? "")) {
    const body = dollarQuoted(rest);
    if (body) return { kind: "dollar", text: body };
  }
  if (rest.startsWith("::")) return { kind: "cast", text: "::" };
  if (ch === ":") {
    const named = /^:[A-Za-z0-9_]+/.exec(rest);
    if (named) return { kind: "parameter", text: named[0] };
  }
  if (ch === ";") return { kind: "semicolon", text: ";" };
  if (/\s/.test(ch)) return { kind: "space", text: /^\s+/.exec(rest)?.[0] ?? ch };
  // A word is one token, so an identifier ending in e/E followed by a quote is not taken for E'…'.
  return { kind: "other", text: /^[A-Za-z0-9_$]+/.exec(rest)?.[0] ?? ch };
}

// PostgreSQL block comments nest.
function blockComment(rest: string): string {
  let depth = 0;
  for (let i = 0; i < rest.length - 1; i++) {
    if (rest.startsWith("/*", i)) {
      depth++;
      i++;
    } else if (rest.startsWith("*/", i)) {
      depth--;
      i++;
      if (depth === 0) return rest.slice(0, i + 1);
    }
  }
  return rest;
}

function dollarQuoted(rest: string): string | undefined {
  const open = /^\$([A-Za-z_][A-Za-z0-9_]*)?\$/.exec(rest);
  if (!open) return undefined;
  const close = rest.indexOf(open[0], open[0].length);
  return close < 0 ? rest : rest.slice(0, close + open[0].length);
}
