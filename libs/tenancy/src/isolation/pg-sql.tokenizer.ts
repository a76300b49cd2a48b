import { TenantScopeViolationError } from '../errors/tenant-scope-violation.error';

/** A token of PostgreSQL text: a word (keyword or identifier), a literal, or one punctuation character. */
export interface Token {
  readonly kind: 'word' | 'literal' | 'punct';
  /** Words: lower-cased unless quoted. Literals: the content. Punctuation: the character. */
  readonly text: string;
  readonly quoted?: boolean;
  /** Literals: dollar-quoted (a function or DO body: read as SQL too). */
  readonly dollar?: boolean;
}

/** A character of an unquoted word (letters, digits, `_`, `$`, non-ASCII), by code: a regex per character costs ~10×. */
function isWord(code: number): boolean {
  return (
    (code >= 97 && code <= 122) ||
    (code >= 65 && code <= 90) ||
    (code >= 48 && code <= 57) ||
    code === 95 ||
    code === 36 ||
    code >= 128
  );
}
const wordAt = (sql: string, i: number) => i >= 0 && i < sql.length && isWord(sql.charCodeAt(i));
const DOLLAR_TAG = /\$(?:[A-Za-z_][A-Za-z0-9_]*)?\$/y;

/**
 * @internal Splits PostgreSQL text into tokens for `readPgSql`: comments (nested block comments
 * too) are skipped, quoted identifiers and literals unquoted. What it cannot read safely (an
 * unterminated literal, identifier or comment, a Unicode-escaped identifier) throws
 * `TenantScopeViolationError`: fail closed.
 */
export function tokenize(sql: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < sql.length) {
    const c = sql[i];
    const code = sql.charCodeAt(i);
    if (code <= 32) {
      i++;
    } else if (c === '-' && sql[i + 1] === '-') {
      const end = sql.indexOf('\n', i);
      i = end < 0 ? sql.length : end + 1;
    } else if (c === '/' && sql[i + 1] === '*') {
      i = endOfComment(sql, i);
    } else if (c === "'") {
      const escapes = (sql[i - 1] === 'e' || sql[i - 1] === 'E') && !wordAt(sql, i - 2);
      const end = endOfQuoted(sql, i, "'", escapes);
      tokens.push({ kind: 'literal', text: sql.slice(i + 1, end - 1).replaceAll("''", "'") });
      i = end;
    } else if (c === '"') {
      if (sql[i - 1] === '&' && (sql[i - 2] === 'u' || sql[i - 2] === 'U'))
        refuse('a Unicode-escaped identifier (U&"...")');
      const end = endOfQuoted(sql, i, '"', false);
      tokens.push({ kind: 'word', text: sql.slice(i + 1, end - 1).replaceAll('""', '"'), quoted: true });
      i = end;
    } else if (c === '$' && !wordAt(sql, i - 1) && dollarTag(sql, i)) {
      const tag = dollarTag(sql, i)!;
      const end = sql.indexOf(tag, i + tag.length);
      if (end < 0) refuse('an unterminated dollar-quoted literal');
      tokens.push({ kind: 'literal', text: sql.slice(i + tag.length, end), dollar: true });
      i = end + tag.length;
    } else if (isWord(code)) {
      let end = i + 1;
      while (end < sql.length && isWord(sql.charCodeAt(end))) end++;
      tokens.push({ kind: 'word', text: sql.slice(i, end).toLowerCase() });
      i = end;
    } else {
      tokens.push({ kind: 'punct', text: c });
      i++;
    }
  }
  return tokens;
}

function dollarTag(sql: string, at: number): string | undefined {
  DOLLAR_TAG.lastIndex = at;
  const match = DOLLAR_TAG.exec(sql);
  return match ? match[0] : undefined;
}

/** PostgreSQL block comments nest. */
function endOfComment(sql: string, start: number): number {
  let depth = 0;
  for (let i = start; i < sql.length - 1; i++) {
    if (sql[i] === '/' && sql[i + 1] === '*') {
      depth++;
      i++;
    } else if (sql[i] === '*' && sql[i + 1] === '/') {
      depth--;
      i++;
      if (depth === 0) return i + 1;
    }
  }
  return refuse('an unterminated comment');
}

function endOfQuoted(sql: string, start: number, close: string, backslashEscapes: boolean): number {
  for (let i = start + 1; i < sql.length; i++) {
    if (backslashEscapes && sql[i] === '\\') {
      i++;
      continue;
    }
    if (sql[i] !== close) continue;
    if (sql[i + 1] === close) {
      i++;
      continue;
    }
    return i + 1;
  }
  return refuse('an unterminated quoted literal or identifier');
}

function refuse(what: string): never {
  throw new TenantScopeViolationError(
    `Refused raw SQL through a tenant DataSource: it contains ${what}, which the scoping check cannot read safely.`,
  );
}
