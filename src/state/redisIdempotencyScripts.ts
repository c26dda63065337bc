/**
 * The Lua scripts of the Redis idempotency store (redisIdempotencyStore.ts). Redis runs a script
 * as one step, nothing else in between (redis.io/docs/latest/develop/programmability/eval-intro),
 * so a claim's read and write cannot interleave with another replica's: of any number of
 * concurrent claims of a free key exactly one becomes its owner. Each script touches one key, so
 * they also run on a Redis Cluster shard.
 *
 * A record is a hash with short fields:
 *
 * | field | value |
 * |---|---|
 * | `st` | `p` (a create in flight) or `d` (its outcome is known) |
 * | `fp` | the input's fingerprint (fingerprint.ts) |
 * | `tk` | the owner's claim token |
 * | `sa` | when the claim was taken (epoch ms) |
 * | `lu` | until when the claim holds without an outcome (epoch ms) |
 * | `ea` | when the record lapses (epoch ms; Redis also expires the key then, `PEXPIRE`) |
 * | `ok`, `ov` | the outcome: `created` + the referral id, or `uncertain` + since when (epoch ms) |
 *
 * "Now" is Redis's clock (`TIME`), never a replica's: every lease is taken and judged by one
 * clock, so a replica whose clock runs ahead cannot end another's lease early. Scripts calling
 * `TIME` before writing are replicated by their effects, the default since Redis 5
 * (redis.io/docs/latest/develop/programmability/eval-intro, "Script replication").
 */
import { luaScript } from './redisConnection.ts';

/** Redis's clock in epoch ms, for the scripts below. */
const NOW = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
`;

/**
 * KEYS[1] the record; ARGV fingerprint, new token, lease in ms, TTL in ms.
 * → {'owner'} | {'mismatch'} | {'replay', kind, value} | {'wait', ms left of the lease}
 */
export const CLAIM = luaScript(
  'idempotency claim',
  `${NOW}
local r = redis.call('HMGET', KEYS[1], 'st', 'fp', 'sa', 'lu', 'ea', 'ok', 'ov')
if r[1] and tonumber(r[5]) <= now then
  redis.call('DEL', KEYS[1])
  r[1] = false
end
if not r[1] then
  local lease, ttl = tonumber(ARGV[3]), tonumber(ARGV[4])
  redis.call('HSET', KEYS[1], 'st', 'p', 'fp', ARGV[1], 'tk', ARGV[2], 'sa', now, 'lu', now + lease, 'ea', now + ttl)
  redis.call('PEXPIRE', KEYS[1], ttl)
  return {'owner'}
end
if r[2] ~= ARGV[1] then return {'mismatch'} end
if r[1] == 'd' then return {'replay', r[6], r[7]} end
if tonumber(r[4]) <= now then
  -- Its owner never finished: it may have sent the POST. Never hand the key out to POST again.
  redis.call('HSET', KEYS[1], 'st', 'd', 'ok', 'uncertain', 'ov', r[3])
  return {'replay', 'uncertain', r[3]}
end
return {'wait', tonumber(r[4]) - now}
`,
);

/**
 * KEYS[1]; ARGV token, outcome kind, outcome value. The owner's outcome, kept even when its
 * lease ran out meanwhile (what it learned beats "uncertain"). → 1 when recorded
 */
export const COMPLETE = luaScript(
  'idempotency complete',
  `
if redis.call('HGET', KEYS[1], 'tk') ~= ARGV[1] then return 0 end
redis.call('HSET', KEYS[1], 'st', 'd', 'ok', ARGV[2], 'ov', ARGV[3])
return 1
`,
);

/**
 * KEYS[1]; ARGV token. Forgets a claim still in flight, only for its owner; repeating it is
 * harmless (the token is unique to one claim). → 1 when forgotten
 */
export const RELEASE = luaScript(
  'idempotency release',
  `
local r = redis.call('HMGET', KEYS[1], 'tk', 'st')
if r[1] ~= ARGV[1] or r[2] ~= 'p' then return 0 end
redis.call('DEL', KEYS[1])
return 1
`,
);

/** KEYS[1]; ARGV fingerprint, referral id. An uncertain outcome becomes `created`. → 1 when resolved */
export const RESOLVE = luaScript(
  'idempotency resolve',
  `
local r = redis.call('HMGET', KEYS[1], 'st', 'fp', 'ok')
if r[1] ~= 'd' or r[2] ~= ARGV[1] or r[3] ~= 'uncertain' then return 0 end
redis.call('HSET', KEYS[1], 'ok', 'created', 'ov', ARGV[2])
return 1
`,
);
