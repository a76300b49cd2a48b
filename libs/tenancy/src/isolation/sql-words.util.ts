import { TenancyError } from '../errors/tenancy.error';

/** A word of SQL text outside literals and comments: a keyword or an identifier, lower-cased. */
export interface SqlWord {
  readonly name: string;
  /** Written quoted (`"x"`, `` `x` ``, `[x]`): never a keyword. */
  readonly quoted: boolean;
  /** Followed by `.`: a qualifier (`db.table`, `table.column`, `alias.column`). */
  readonly qualifies: boolean;
}

/** The SQL flavours the guards read. */
export type SqlFlavour = 'sqlite' | 'mysql';

const WORD = /[A-Za-z0-9_$\u0080-\uffff]/;
const CLOSING: Record<string, string> = { '"': '"', '`': '`', '[': ']' };

/**
 * Every word of `sql` outside string literals and comments, for the raw-SQL guards. Quoted
 * identifiers (on MySQL `"x"` too, as under `ANSI_QUOTES`) are unquoted (`""` and ``` `` ``` escapes), words lower-cased (both dialects compare
 * identifiers without case here, which can only refuse more). Anything the scanner is unsure of
 * throws (fail closed): an unterminated literal, identifier or comment; on MySQL, a backslash in a
 * literal (its meaning depends on `NO_BACKSLASH_ESCAPES`) and `/*!` comments (MySQL runs them).
 */
export function sqlWords(sql: string, flavour: SqlFlavour): SqlWord[] {
  const words: SqlWord[] = [];
  let i = 0;
  const push = (name: string, quoted: boolean, end: number) => {
    let j = end;
    while (j < sql.length && /\s/.test(sql[j])) j++;
    words.push({ name: name.toLowerCase(), quoted, qualifies: sql[j] === '.' });
    i = end;
  };
  while (i < sql.length) {
    const c = sql[i];
    if (c === "'") {
      i = endOfQuoted(sql, i, c, flavour);
    } else if (c === '"' || c === '`' || (c === '[' && flavour === 'sqlite')) {
      const end = endOfQuoted(sql, i, CLOSING[c], flavour);
      push(unescape(sql.slice(i + 1, end - 1), CLOSING[c]), true, end);
    } else if (c === '-' && sql[i + 1] === '-') {
      i = lineEnd(sql, i);
    } else if (c === '#' && flavour === 'mysql') {
      i = lineEnd(sql, i);
    } else if (c === '/' && sql[i + 1] === '*') {
      if (flavour === 'mysql' && (sql[i + 2] === '!' || sql[i + 2] === '+'))
        refuse('a MySQL executable comment (/*! ... */)');
      const end = sql.indexOf('*/', i + 2);
      if (end < 0) refuse('an unterminated comment');
      i = end + 2;
    } else if (WORD.test(c)) {
      let end = i + 1;
      while (end < sql.length && WORD.test(sql[end])) end++;
      push(sql.slice(i, end), false, end);
    } else {
      i++;
    }
  }
  return words;
}

function endOfQuoted(sql: string, start: number, close: string, flavour: SqlFlavour): number {
  for (let i = start + 1; i < sql.length; i++) {
    if (sql[i] === '\\' && flavour === 'mysql' && close !== '`') refuse('a backslash in a MySQL literal');
    if (sql[i] !== close) continue;
    if (close !== ']' && sql[i + 1] === close) {
      i++; // doubled quote: an escaped quote character
      continue;
    }
    return i + 1;
  }
  return refuse('an unterminated quoted literal or identifier');
}

function unescape(text: string, close: string): string {
  return close === ']' ? text : text.replaceAll(close + close, close);
}

function lineEnd(sql: string, start: number): number {
  const end = sql.indexOf('\n', start);
  return end < 0 ? sql.length : end + 1;
}

function refuse(what: string): never {
  throw new TenancyError(`Raw SQL refused: it contains ${what}, which the tenancy guard cannot read safely.`);
}
