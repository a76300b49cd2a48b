import { tokenize, type Token } from './pg-sql.tokenizer';

/** What raw SQL names that can move it out of a tenant's scope (see `readPgSql`). */
export interface PgSqlNames {
  /** Schemas (and catalogs) qualifying a relation, a three-part name or a function call. */
  readonly schemas: Set<string>;
  /** A statement changes the connection's scope (setting, role, session): what, for the message. */
  readonly scopeChange?: string;
}

const RELATION_KEYWORDS = new Set([
  'from',
  'join',
  'into',
  'update',
  'table',
  'only',
  'using',
  'lateral',
  'truncate',
  'copy',
  'references',
  'lock',
]);
/** Words that may stand between a relation keyword and the name (`FROM ONLY x`, `DROP TABLE IF EXISTS x`). */
const BEFORE_NAME = new Set(['only', 'lateral', 'table', 'if', 'not', 'exists']);
const ENDS_FROM_LIST = new Set([
  'where',
  'group',
  'having',
  'window',
  'order',
  'limit',
  'offset',
  'fetch',
  'for',
  'union',
  'intersect',
  'except',
  'returning',
  'select',
  'set',
  'values',
]);
const OPENS_QUERY = new Set(['select', 'delete', 'update', 'insert', 'with', 'table', 'values']);
/** Where a plpgsql body (a dollar-quoted literal read as SQL) starts a statement. */
const STARTS_STATEMENT = new Set(['begin', 'then', 'else', 'loop', 'declare']);
/** Settings that scope a tenant or its rights, by their dotted name. */
const PROTECTED_SETTINGS = new Set(['search_path', 'app.current_tenant', 'role', 'session', 'schema', 'all']);

/**
 * Reads raw PostgreSQL SQL as the scoping check needs it: which schemas it names where a relation
 * (or a function) is, and whether it changes the connection's scope. Comments are skipped (they
 * are whitespace to PostgreSQL: `FROM/**\/public.x` names public), string literals too, except
 * dollar-quoted bodies (DO blocks, functions), which are read as SQL as well. Anything the reader
 * cannot read safely (an unterminated literal, identifier or comment, a Unicode-escaped
 * identifier) is refused: fail closed.
 */
export function readPgSql(sql: string): PgSqlNames {
  const names = { schemas: new Set<string>(), scopeChange: undefined as string | undefined };
  walk(tokenize(sql), names);
  return names;
}

function walk(tokens: Token[], out: { schemas: Set<string>; scopeChange?: string }): void {
  // Per parenthesis depth: the group is a query (FROM is a relation there), a FROM list is open.
  const groups: Array<{ query: boolean; fromList: boolean }> = [{ query: true, fromList: false }];
  let expectRelation = false;
  for (let i = 0; i < tokens.length; i++) {
    const t = tokens[i];
    const group = groups[groups.length - 1];
    if (t.kind === 'literal') {
      if (t.dollar) walk(tokenize(t.text), out);
      expectRelation = false;
      continue;
    }
    if (t.kind === 'punct') {
      if (t.text === '(') groups.push({ query: false, fromList: false });
      else if (t.text === ')' && groups.length > 1) groups.pop();
      else if (t.text === ';') Object.assign(group, { fromList: false });
      expectRelation = t.text === ',' && group.fromList;
      continue;
    }
    const word = t.quoted ? undefined : t.text;
    if (startsStatement(tokens, i)) noteScopeChange(tokens, i, out);
    if (word === 'set_config' || t.text === 'set_config') noteSetConfig(tokens, i, out);
    if (t.text === 'pg_settings') out.scopeChange ??= 'pg_settings';
    const qualifies = tokens[i + 1]?.text === '.' && tokens[i + 2]?.kind === 'word';
    if (qualifies) {
      const threeParts = tokens[i + 3]?.text === '.' && tokens[i + 4]?.kind === 'word';
      const call = !threeParts && tokens[i + 3]?.text === '(';
      if (expectRelation || threeParts || call || t.text === 'public') out.schemas.add(t.text);
      if (expectRelation && threeParts) out.schemas.add(tokens[i + 2].text);
      expectRelation = false;
      i += threeParts ? 4 : 2;
      continue;
    }
    if (word && OPENS_QUERY.has(word)) group.query = true;
    if (word && ENDS_FROM_LIST.has(word)) group.fromList = false;
    if (word && expectRelation && BEFORE_NAME.has(word)) continue;
    expectRelation = false;
    if (word && RELATION_KEYWORDS.has(word)) {
      const from = word === 'from';
      // `IS DISTINCT FROM x.col`, `extract(year FROM o.at)`: not relations.
      if (from && (tokens[i - 1]?.text === 'distinct' || !group.query)) continue;
      if (from || word === 'join') group.fromList = true;
      expectRelation = true;
    }
  }
}

function startsStatement(tokens: Token[], i: number): boolean {
  const before = tokens[i - 1];
  return (
    !before || before.text === ';' || (before.kind === 'word' && !before.quoted && STARTS_STATEMENT.has(before.text))
  );
}

/** `SET|RESET [SESSION|LOCAL] <protected>`, `DISCARD ALL`, `ALTER ROLE|USER|DATABASE|SYSTEM ...` at a statement start. */
function noteScopeChange(tokens: Token[], i: number, out: { scopeChange?: string }): void {
  const word = tokens[i].quoted ? '' : tokens[i].text;
  if (word === 'discard' && tokens[i + 1]?.text === 'all') out.scopeChange ??= 'DISCARD ALL';
  if (word === 'alter' && ['role', 'user', 'database', 'system'].includes(tokens[i + 1]?.text ?? ''))
    out.scopeChange ??= `ALTER ${tokens[i + 1].text.toUpperCase()}`;
  if (word !== 'set' && word !== 'reset') return;
  let j = i + 1;
  if (['session', 'local'].includes(tokens[j]?.text ?? '') && tokens[j + 1]?.kind === 'word') {
    if (tokens[j].text === 'session' && tokens[j + 1].text === 'authorization') {
      out.scopeChange ??= 'SET SESSION AUTHORIZATION';
      return;
    }
    j++;
  }
  const parts: string[] = [];
  while (tokens[j]?.kind === 'word') {
    parts.push(tokens[j].text);
    if (tokens[j + 1]?.text !== '.') break;
    j += 2;
  }
  const name = parts.join('.');
  if (PROTECTED_SETTINGS.has(name)) out.scopeChange ??= `${word.toUpperCase()} ${name}`;
}

/** `set_config(<name>, ...)`: allowed only with a literal name of an unprotected setting. */
function noteSetConfig(tokens: Token[], i: number, out: { scopeChange?: string }): void {
  const name = tokens[i + 2];
  if (tokens[i + 1]?.text !== '(' || tokens[i + 3]?.text !== ',') {
    if (tokens[i + 1]?.text === '(') out.scopeChange ??= 'set_config with a computed setting name';
    return;
  }
  if (name?.kind !== 'literal' || name.dollar || PROTECTED_SETTINGS.has(name.text.trim().toLowerCase())) {
    out.scopeChange ??= 'set_config of search_path, app.current_tenant or the role';
  }
}
