// Direct database access for the bench driver (setup and references), on SQLite or PostgreSQL.
const { randomBytes, createHash, createHmac } = require('node:crypto');

async function openDb(kind, target) {
  if (kind === 'postgres') {
    const { Client } = require('pg');
    const client = new Client({ connectionString: target });
    await client.connect();
    const toPg = (sql) => {
      let n = 0;
      return sql.replace(/\?/g, () => `$${++n}`);
    };
    return {
      kind,
      all: async (sql, params = []) => (await client.query(toPg(sql), params)).rows,
      run: async (sql, params = []) => {
        await client.query(toPg(sql), params);
      },
      insertIgnore: 'INSERT INTO',
      onConflict: 'ON CONFLICT DO NOTHING',
      close: () => client.end(),
    };
  }
  const Database = require('better-sqlite3');
  const db = new Database(target);
  db.pragma('journal_mode = WAL');
  db.pragma('busy_timeout = 5000');
  return {
    kind,
    all: async (sql, params = []) => db.prepare(sql).all(...params),
    run: async (sql, params = []) => {
      db.prepare(sql).run(...params);
    },
    insertIgnore: 'INSERT OR IGNORE INTO',
    onConflict: '',
    close: async () => db.close(),
  };
}

const sha256 = (s) => createHash('sha256').update(s).digest('hex');

/** What @fastify/cookie puts in a signed cookie: value + '.' + base64 HMAC-SHA256 without padding. */
function signCookie(value, secret) {
  return `${value}.${createHmac('sha256', secret).update(value).digest('base64').replace(/=+$/, '')}`;
}

/**
 * Opens sessions directly in the database for many people at once. Signing in 2,000 people through the API
 * costs 2,000 scrypt hashes (~80 ms each); the API sign-in is exercised separately for a sample.
 */
async function mintSessions(db, userIds, kind) {
  const now = new Date();
  const iso = now.toISOString();
  const expires = new Date(now.getTime() + 11 * 3600_000).toISOString();
  const out = [];
  const rows = userIds.map((userId) => {
    const secret = randomBytes(32).toString('base64url');
    out.push({ userId, secret });
    return [randomId(), userId, sha256(secret), kind, iso, iso, expires, null, '127.0.0.1'];
  });
  for (let i = 0; i < rows.length; i += 200) {
    const chunk = rows.slice(i, i + 200);
    await db.run(
      `INSERT INTO auth_sessions (id, user_id, token_hash, kind, created_at, last_seen_at, expires_at, revoked_at, ip) VALUES ${chunk.map(() => '(?,?,?,?,?,?,?,?,?)').join(',')}`,
      chunk.flat(),
    );
  }
  return out;
}

function randomId() {
  const h = randomBytes(16).toString('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-a${h.slice(17, 20)}-${h.slice(20)}`;
}

module.exports = { openDb, mintSessions, signCookie, randomId, sha256 };
