import { createHash } from 'node:crypto';
import type { SqlClient } from './sql-client';

const IDENTIFIER = /^[a-z_][a-z0-9_]{0,62}$/;

export function assertSchemaName(schema: string): void {
  if (!IDENTIFIER.test(schema)) {
    throw new Error(`Schema name "${schema}" must match ${IDENTIFIER} (lower-case SQL identifier)`);
  }
}

/** A stable 63-bit advisory lock key for a purpose within one schema. */
export function lockKey(schema: string, purpose: string): string {
  const digest = createHash('sha256').update(`${schema}:${purpose}`).digest();
  return (digest.readBigInt64BE(0) & 0x3fffffffffffffffn).toString();
}

/** The first key of the two-key advisory locks that queue writers of one stream. */
export function streamLockSpace(schema: string): number {
  return createHash('sha256').update(`${schema}:streams`).digest().readInt32BE(0);
}

/** The NOTIFY channel that wakes subscribers of a schema's events. */
export const appendedChannel = (schema: string): string => `${schema}_events_appended`;

/**
 * Ordered migrations; each runs once per schema, recorded in schema_migrations. Never edit
 * a released one: add the next.
 */
function migrations(s: string): string[] {
  const positionLock = lockKey(s, 'positions');
  return [
    `
CREATE SEQUENCE IF NOT EXISTS ${s}.global_position_seq AS bigint;

CREATE TABLE IF NOT EXISTS ${s}.streams (
  stream_id text PRIMARY KEY,
  -- -1 only while the first append of the stream is in flight.
  revision bigint NOT NULL,
  hash text NOT NULL,
  updated_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE IF NOT EXISTS ${s}.events (
  global_position bigint PRIMARY KEY,
  stream_id text NOT NULL,
  revision bigint NOT NULL CHECK (revision >= 0),
  id uuid NOT NULL,
  type text NOT NULL,
  schema_version integer NOT NULL,
  occurred_at timestamptz NOT NULL,
  recorded_at timestamptz NOT NULL,
  actor jsonb NOT NULL,
  reason text,
  correlation_id text NOT NULL,
  causation_id text,
  data jsonb NOT NULL,
  prev_hash text NOT NULL,
  hash text NOT NULL,
  transaction_id xid8 NOT NULL,
  CONSTRAINT events_stream_revision_key UNIQUE (stream_id, revision),
  CONSTRAINT events_stream_event_id_key UNIQUE (stream_id, id)
);

CREATE TABLE IF NOT EXISTS ${s}.subscription_checkpoints (
  name text PRIMARY KEY,
  position bigint NOT NULL,
  updated_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE IF NOT EXISTS ${s}.anchors (
  id bigserial PRIMARY KEY,
  created_at timestamptz NOT NULL DEFAULT now(),
  root text NOT NULL,
  stream_count integer NOT NULL,
  event_count bigint NOT NULL,
  -- [{streamId, revision, hash}] sorted by streamId: tells a verifier which stream vanished.
  heads jsonb NOT NULL
);

-- Global order for subscribers. Readers only see rows whose transaction id is below the
-- oldest running transaction (pg_snapshot_xmin), the visibility rule of Emmett's store.
-- That alone leaves a gap when a transaction with an older id takes a larger position and
-- commits after a younger one, so positions are taken together with the transaction id
-- under a short lock: a larger position then always means a larger transaction id, and
-- nothing can later appear below a position a reader has seen.
CREATE OR REPLACE FUNCTION ${s}.reserve_positions(n integer)
RETURNS TABLE (first_position bigint, recorded_at timestamptz)
LANGUAGE plpgsql AS $fn$
BEGIN
  IF pg_current_xact_id_if_assigned() IS NOT NULL THEN
    RAISE EXCEPTION 'reserve_positions must be the first write of its transaction';
  END IF;
  PERFORM pg_advisory_lock(${positionLock});
  BEGIN
    PERFORM pg_current_xact_id();
    first_position := nextval('${s}.global_position_seq');
    IF n > 1 THEN
      PERFORM setval('${s}.global_position_seq', first_position + n - 1);
    END IF;
    recorded_at := clock_timestamp();
  EXCEPTION WHEN OTHERS THEN
    PERFORM pg_advisory_unlock(${positionLock});
    RAISE;
  END;
  PERFORM pg_advisory_unlock(${positionLock});
  RETURN NEXT;
END
$fn$;
`,
    // The audit searches the log by type, actor, organisation and time, in log order.
    `
CREATE INDEX IF NOT EXISTS events_type_position_idx ON ${s}.events (type, global_position);
CREATE INDEX IF NOT EXISTS events_actor_user_position_idx ON ${s}.events ((actor->>'userId'), global_position);
CREATE INDEX IF NOT EXISTS events_actor_org_position_idx ON ${s}.events ((actor->>'org'), global_position);
CREATE INDEX IF NOT EXISTS events_occurred_at_idx ON ${s}.events (occurred_at);
`,
    // An append's first round trip: queue behind the stream's other writers (its revisions
    // and global positions then rise together), take positions, create or read the stream's
    // head (its row stays locked until commit) and list the batch's ids the stream already holds.
    `
CREATE OR REPLACE FUNCTION ${s}.begin_append(p_stream text, p_lock_space integer, p_count integer,
  p_ids jsonb, p_genesis text)
RETURNS TABLE (first_position bigint, recorded_at timestamptz, revision bigint, hash text, repeated jsonb)
LANGUAGE plpgsql AS $fn$
DECLARE
  v_first bigint;
  v_at timestamptz;
  v_revision bigint;
  v_hash text;
  v_repeated jsonb := '[]'::jsonb;
BEGIN
  PERFORM pg_advisory_xact_lock(p_lock_space, hashtext(p_stream));
  SELECT r.first_position, r.recorded_at INTO v_first, v_at FROM ${s}.reserve_positions(p_count) AS r;
  INSERT INTO ${s}.streams AS h (stream_id, revision, hash) VALUES (p_stream, -1, p_genesis)
    ON CONFLICT (stream_id) DO UPDATE SET stream_id = EXCLUDED.stream_id
    RETURNING h.revision, h.hash INTO v_revision, v_hash;
  IF v_revision >= 0 THEN
    SELECT COALESCE(jsonb_agg(jsonb_build_object('id', e.id::text, 'revision', e.revision::text,
        'position', e.global_position::text) ORDER BY e.revision), '[]'::jsonb)
      INTO v_repeated
      FROM ${s}.events AS e
      WHERE e.stream_id = p_stream AND e.id IN (SELECT jsonb_array_elements_text(p_ids)::uuid);
  END IF;
  RETURN QUERY SELECT v_first, v_at, v_revision, v_hash, v_repeated;
END
$fn$;
`,
    // The first round trip of a group of appends to distinct streams ([{s, ids}] in p_appends):
    // every writer locks its streams in the same order (no cycle between two groups), takes
    // positions for the whole group, then each stream's head and the repeated ids, per stream
    // in the group's order.
    `
CREATE OR REPLACE FUNCTION ${s}.begin_append_many(p_appends jsonb, p_lock_space integer,
  p_count integer, p_genesis text)
RETURNS TABLE (group_stream text, first_position bigint, group_recorded_at timestamptz,
  head_revision bigint, head_hash text, repeated jsonb)
LANGUAGE plpgsql AS $fn$
#variable_conflict use_column
DECLARE
  v_key integer;
  v_first bigint;
  v_at timestamptz;
BEGIN
  FOR v_key IN
    SELECT DISTINCT hashtext(a.value->>'s') FROM jsonb_array_elements(p_appends) AS a ORDER BY 1
  LOOP
    PERFORM pg_advisory_xact_lock(p_lock_space, v_key);
  END LOOP;
  SELECT r.first_position, r.recorded_at INTO v_first, v_at FROM ${s}.reserve_positions(p_count) AS r;
  RETURN QUERY
  WITH wanted AS (
    SELECT a.value->>'s' AS stream, a.value->'ids' AS ids, a.ordinality AS ord
    FROM jsonb_array_elements(p_appends) WITH ORDINALITY AS a
  ), heads AS (
    INSERT INTO ${s}.streams AS h (stream_id, revision, hash)
      SELECT w.stream, -1, p_genesis FROM wanted AS w
      ON CONFLICT (stream_id) DO UPDATE SET stream_id = EXCLUDED.stream_id
      RETURNING h.stream_id, h.revision, h.hash
  )
  SELECT w.stream, v_first, v_at, h.revision, h.hash,
    CASE WHEN h.revision < 0 THEN '[]'::jsonb ELSE (
      SELECT COALESCE(jsonb_agg(jsonb_build_object('id', e.id::text, 'revision', e.revision::text,
          'position', e.global_position::text) ORDER BY e.revision), '[]'::jsonb)
      FROM ${s}.events AS e
      WHERE e.stream_id = w.stream AND e.id IN (SELECT jsonb_array_elements_text(w.ids)::uuid)
    ) END
  FROM wanted AS w JOIN heads AS h ON h.stream_id = w.stream
  ORDER BY w.ord;
END
$fn$;
`,
    // The second round trip of a group: its events, each written stream's new head (one by one:
    // an index lookup each, where a join from a JSON set may scan every stream), and the heads
    // begun for new streams whose append was refused. Returns the events written.
    `
CREATE OR REPLACE FUNCTION ${s}.finish_append_many(p_events jsonb, p_recorded_at timestamptz,
  p_heads jsonb, p_unborn jsonb, p_channel text)
RETURNS integer
LANGUAGE plpgsql AS $fn$
DECLARE
  v_head record;
  v_count integer;
BEGIN
  INSERT INTO ${s}.events (global_position, stream_id, revision, id, type, schema_version, occurred_at,
    recorded_at, actor, reason, correlation_id, causation_id, data, prev_hash, hash, transaction_id)
  SELECT e.p, e.s, e.r, e.id, e.type, e.v, e.o, p_recorded_at, e.actor, e.reason, e.c, e.k, e.data,
    e.ph, e.h, pg_current_xact_id()
  FROM jsonb_to_recordset(p_events) AS e(p bigint, s text, r bigint, id uuid, type text, v integer,
    o timestamptz, actor jsonb, reason text, c text, k text, data jsonb, ph text, h text);
  GET DIAGNOSTICS v_count = ROW_COUNT;
  FOR v_head IN
    SELECT x.stream_id, x.revision, x.hash
    FROM jsonb_to_recordset(p_heads) AS x(stream_id text, revision bigint, hash text)
  LOOP
    UPDATE ${s}.streams AS h SET revision = v_head.revision, hash = v_head.hash, updated_at = now()
      WHERE h.stream_id = v_head.stream_id;
  END LOOP;
  IF jsonb_array_length(p_unborn) > 0 THEN
    DELETE FROM ${s}.streams AS h
      WHERE h.stream_id = ANY (ARRAY(SELECT jsonb_array_elements_text(p_unborn))) AND h.revision < 0;
  END IF;
  IF p_channel IS NOT NULL THEN
    PERFORM pg_notify(p_channel, '');
  END IF;
  RETURN v_count;
END
$fn$;
`,
    // Groups without placeholder heads: the stream locks already keep other writers out until
    // commit, so a group reads its heads (no write before the final one) and writes each head
    // once, created or moved on. New names: a process still on the functions above keeps them.
    `
CREATE OR REPLACE FUNCTION ${s}.begin_append_group(p_appends jsonb, p_lock_space integer,
  p_count integer, p_genesis text)
RETURNS TABLE (group_stream text, first_position bigint, group_recorded_at timestamptz,
  head_revision bigint, head_hash text, repeated jsonb)
LANGUAGE plpgsql AS $fn$
#variable_conflict use_column
DECLARE
  v_key integer;
  v_first bigint;
  v_at timestamptz;
BEGIN
  FOR v_key IN
    SELECT DISTINCT hashtext(a.value->>'s') FROM jsonb_array_elements(p_appends) AS a ORDER BY 1
  LOOP
    PERFORM pg_advisory_xact_lock(p_lock_space, v_key);
  END LOOP;
  SELECT r.first_position, r.recorded_at INTO v_first, v_at FROM ${s}.reserve_positions(p_count) AS r;
  RETURN QUERY
  SELECT a.value->>'s', v_first, v_at, COALESCE(h.revision, -1), COALESCE(h.hash, p_genesis),
    CASE WHEN h.revision IS NULL OR h.revision < 0 THEN '[]'::jsonb ELSE (
      SELECT COALESCE(jsonb_agg(jsonb_build_object('id', e.id::text, 'revision', e.revision::text,
          'position', e.global_position::text) ORDER BY e.revision), '[]'::jsonb)
      FROM ${s}.events AS e
      WHERE e.stream_id = a.value->>'s'
        AND e.id IN (SELECT jsonb_array_elements_text(a.value->'ids')::uuid)
    ) END
  FROM jsonb_array_elements(p_appends) WITH ORDINALITY AS a
  LEFT JOIN ${s}.streams AS h ON h.stream_id = a.value->>'s'
  ORDER BY a.ordinality;
END
$fn$;

CREATE OR REPLACE FUNCTION ${s}.finish_append_group(p_events jsonb, p_recorded_at timestamptz,
  p_heads jsonb, p_channel text)
RETURNS integer
LANGUAGE plpgsql AS $fn$
DECLARE
  v_head record;
  v_count integer;
BEGIN
  INSERT INTO ${s}.events (global_position, stream_id, revision, id, type, schema_version, occurred_at,
    recorded_at, actor, reason, correlation_id, causation_id, data, prev_hash, hash, transaction_id)
  SELECT e.p, e.s, e.r, e.id, e.type, e.v, e.o, p_recorded_at, e.actor, e.reason, e.c, e.k, e.data,
    e.ph, e.h, pg_current_xact_id()
  FROM jsonb_to_recordset(p_events) AS e(p bigint, s text, r bigint, id uuid, type text, v integer,
    o timestamptz, actor jsonb, reason text, c text, k text, data jsonb, ph text, h text);
  GET DIAGNOSTICS v_count = ROW_COUNT;
  FOR v_head IN
    SELECT x.stream_id, x.revision, x.hash
    FROM jsonb_to_recordset(p_heads) AS x(stream_id text, revision bigint, hash text)
  LOOP
    INSERT INTO ${s}.streams AS h (stream_id, revision, hash)
      VALUES (v_head.stream_id, v_head.revision, v_head.hash)
      ON CONFLICT (stream_id) DO UPDATE
        SET revision = EXCLUDED.revision, hash = EXCLUDED.hash, updated_at = now();
  END LOOP;
  IF p_channel IS NOT NULL THEN
    PERFORM pg_notify(p_channel, '');
  END IF;
  RETURN v_count;
END
$fn$;
`,
    // The same answer, each head read by its key: a join planned while the streams table was
    // small (a hash join over a scan of every stream) stayed the session's plan as it grew.
    `
CREATE OR REPLACE FUNCTION ${s}.begin_append_group(p_appends jsonb, p_lock_space integer,
  p_count integer, p_genesis text)
RETURNS TABLE (group_stream text, first_position bigint, group_recorded_at timestamptz,
  head_revision bigint, head_hash text, repeated jsonb)
LANGUAGE plpgsql AS $fn$
#variable_conflict use_column
DECLARE
  v_key integer;
  v_first bigint;
  v_at timestamptz;
  v_append jsonb;
  v_stream text;
BEGIN
  FOR v_key IN
    SELECT DISTINCT hashtext(a.value->>'s') FROM jsonb_array_elements(p_appends) AS a ORDER BY 1
  LOOP
    PERFORM pg_advisory_xact_lock(p_lock_space, v_key);
  END LOOP;
  SELECT r.first_position, r.recorded_at INTO v_first, v_at FROM ${s}.reserve_positions(p_count) AS r;
  FOR v_append IN
    SELECT a.value FROM jsonb_array_elements(p_appends) WITH ORDINALITY AS a ORDER BY a.ordinality
  LOOP
    v_stream := v_append->>'s';
    group_stream := v_stream;
    first_position := v_first;
    group_recorded_at := v_at;
    repeated := '[]'::jsonb;
    SELECT h.revision, h.hash INTO head_revision, head_hash
      FROM ${s}.streams AS h WHERE h.stream_id = v_stream;
    IF NOT FOUND OR head_revision < 0 THEN
      head_revision := -1;
      head_hash := p_genesis;
    ELSE
      SELECT COALESCE(jsonb_agg(jsonb_build_object('id', e.id::text, 'revision', e.revision::text,
          'position', e.global_position::text) ORDER BY e.revision), '[]'::jsonb)
        INTO repeated
        FROM ${s}.events AS e
        WHERE e.stream_id = v_stream
          AND e.id IN (SELECT jsonb_array_elements_text(v_append->'ids')::uuid);
    END IF;
    RETURN NEXT;
  END LOOP;
END
$fn$;
`,
    // A head that exists (most appends) is moved on in place, without a failed insert first.
    `
CREATE OR REPLACE FUNCTION ${s}.finish_append_group(p_events jsonb, p_recorded_at timestamptz,
  p_heads jsonb, p_channel text)
RETURNS integer
LANGUAGE plpgsql AS $fn$
DECLARE
  v_head record;
  v_count integer;
BEGIN
  INSERT INTO ${s}.events (global_position, stream_id, revision, id, type, schema_version, occurred_at,
    recorded_at, actor, reason, correlation_id, causation_id, data, prev_hash, hash, transaction_id)
  SELECT e.p, e.s, e.r, e.id, e.type, e.v, e.o, p_recorded_at, e.actor, e.reason, e.c, e.k, e.data,
    e.ph, e.h, pg_current_xact_id()
  FROM jsonb_to_recordset(p_events) AS e(p bigint, s text, r bigint, id uuid, type text, v integer,
    o timestamptz, actor jsonb, reason text, c text, k text, data jsonb, ph text, h text);
  GET DIAGNOSTICS v_count = ROW_COUNT;
  FOR v_head IN
    SELECT x.stream_id, x.revision, x.hash
    FROM jsonb_to_recordset(p_heads) AS x(stream_id text, revision bigint, hash text)
  LOOP
    UPDATE ${s}.streams AS h SET revision = v_head.revision, hash = v_head.hash, updated_at = now()
      WHERE h.stream_id = v_head.stream_id;
    IF NOT FOUND THEN
      INSERT INTO ${s}.streams (stream_id, revision, hash)
        VALUES (v_head.stream_id, v_head.revision, v_head.hash);
    END IF;
  END LOOP;
  IF p_channel IS NOT NULL THEN
    PERFORM pg_notify(p_channel, '');
  END IF;
  RETURN v_count;
END
$fn$;
`,
    // A group's events with their data and actors apart from the other columns, each list
    // of JSON texts joined by the record separator U+001E (JSON never holds it unescaped):
    // split, they are parsed once, as jsonb, where a jsonb document of whole rows was parsed
    // twice over (the document, then each value). The small columns stay a json array of
    // rows, in the same order. New name: a process still on finish_append_group keeps it.
    `
CREATE OR REPLACE FUNCTION ${s}.finish_append_rows(p_events json, p_data text, p_actors text,
  p_recorded_at timestamptz, p_heads jsonb, p_channel text)
RETURNS integer
LANGUAGE plpgsql AS $fn$
DECLARE
  v_head record;
  v_count integer;
  v_data text[] := string_to_array(p_data, chr(30));
  v_actors text[] := string_to_array(p_actors, chr(30));
  v_events integer := json_array_length(p_events);
BEGIN
  IF cardinality(v_data) <> v_events OR cardinality(v_actors) <> v_events THEN
    RAISE EXCEPTION 'finish_append_rows: % events, % data, % actors',
      v_events, cardinality(v_data), cardinality(v_actors);
  END IF;
  INSERT INTO ${s}.events (global_position, stream_id, revision, id, type, schema_version, occurred_at,
    recorded_at, actor, reason, correlation_id, causation_id, data, prev_hash, hash, transaction_id)
  SELECT e.p, e.s, e.r, e.id, e.type, e.v, e.o, p_recorded_at, x.actor::jsonb, e.reason, e.c, e.k,
    x.data::jsonb, e.ph, e.h, pg_current_xact_id()
  FROM ROWS FROM (json_to_recordset(p_events) AS (p bigint, s text, r bigint, id uuid, type text,
    v integer, o timestamptz, reason text, c text, k text, ph text, h text))
    WITH ORDINALITY AS e(p, s, r, id, type, v, o, reason, c, k, ph, h, n)
  JOIN unnest(v_data, v_actors) WITH ORDINALITY AS x(data, actor, n) ON x.n = e.n;
  GET DIAGNOSTICS v_count = ROW_COUNT;
  FOR v_head IN
    SELECT x.stream_id, x.revision, x.hash
    FROM jsonb_to_recordset(p_heads) AS x(stream_id text, revision bigint, hash text)
  LOOP
    UPDATE ${s}.streams AS h SET revision = v_head.revision, hash = v_head.hash, updated_at = now()
      WHERE h.stream_id = v_head.stream_id;
    IF NOT FOUND THEN
      INSERT INTO ${s}.streams (stream_id, revision, hash)
        VALUES (v_head.stream_id, v_head.revision, v_head.hash);
    END IF;
  END LOOP;
  IF p_channel IS NOT NULL THEN
    PERFORM pg_notify(p_channel, '');
  END IF;
  RETURN v_count;
END
$fn$;
`,
    // The same with the other columns as arrays, one per column, unnested together: a json
    // array of rows was lexed twice (checked, then taken apart), a tenth of a group's time.
    // Every list must have one member per event (unnest would pad a shorter one with nulls).
    `
CREATE OR REPLACE FUNCTION ${s}.finish_append_columns(p_positions bigint[], p_streams text[],
  p_revisions bigint[], p_ids uuid[], p_types text[], p_versions integer[],
  p_occurred timestamptz[], p_reasons text[], p_correlations text[], p_causations text[],
  p_prev_hashes text[], p_hashes text[], p_data text, p_actors text, p_recorded_at timestamptz,
  p_heads jsonb, p_channel text)
RETURNS integer
LANGUAGE plpgsql AS $fn$
DECLARE
  v_head record;
  v_count integer;
  v_data text[] := string_to_array(p_data, chr(30));
  v_actors text[] := string_to_array(p_actors, chr(30));
  v_events integer := cardinality(p_positions);
BEGIN
  IF EXISTS (
    SELECT 1 FROM unnest(ARRAY[cardinality(p_streams), cardinality(p_revisions),
      cardinality(p_ids), cardinality(p_types), cardinality(p_versions), cardinality(p_occurred),
      cardinality(p_reasons), cardinality(p_correlations), cardinality(p_causations),
      cardinality(p_prev_hashes), cardinality(p_hashes), cardinality(v_data),
      cardinality(v_actors)]) AS l(n)
    WHERE l.n IS DISTINCT FROM v_events
  ) THEN
    RAISE EXCEPTION 'finish_append_columns: lists of different lengths for % events', v_events;
  END IF;
  INSERT INTO ${s}.events (global_position, stream_id, revision, id, type, schema_version, occurred_at,
    recorded_at, actor, reason, correlation_id, causation_id, data, prev_hash, hash, transaction_id)
  SELECT e.p, e.s, e.r, e.id, e.type, e.v, e.o, p_recorded_at, e.actor::jsonb, e.reason, e.c, e.k,
    e.data::jsonb, e.ph, e.h, pg_current_xact_id()
  FROM unnest(p_positions, p_streams, p_revisions, p_ids, p_types, p_versions, p_occurred,
    p_reasons, p_correlations, p_causations, p_prev_hashes, p_hashes, v_data, v_actors)
    AS e(p, s, r, id, type, v, o, reason, c, k, ph, h, data, actor);
  GET DIAGNOSTICS v_count = ROW_COUNT;
  FOR v_head IN
    SELECT x.stream_id, x.revision, x.hash
    FROM jsonb_to_recordset(p_heads) AS x(stream_id text, revision bigint, hash text)
  LOOP
    UPDATE ${s}.streams AS h SET revision = v_head.revision, hash = v_head.hash, updated_at = now()
      WHERE h.stream_id = v_head.stream_id;
    IF NOT FOUND THEN
      INSERT INTO ${s}.streams (stream_id, revision, hash)
        VALUES (v_head.stream_id, v_head.revision, v_head.hash);
    END IF;
  END LOOP;
  IF p_channel IS NOT NULL THEN
    PERFORM pg_notify(p_channel, '');
  END IF;
  RETURN v_count;
END
$fn$;
`,
    // One statement for a group whose heads the writer already knows (it wrote or read them
    // last), in place of begin_append_group and finish_append_columns with a transaction
    // around them: four round trips become one. Under the same stream locks, each head must
    // still be the one the events were chained on (p_expected: [{s, r, h}], r and h null for
    // a stream not begun), and the writer's recorded time neither ahead of the log's clock
    // nor behind the stream's last event, so that a stream's recorded times never go back.
    // Otherwise nothing is written and the answer is NULL: the writer takes the two
    // statements. The events' positions come as offsets from the group's first position; the
    // rest is finish_append_columns's.
    `
CREATE OR REPLACE FUNCTION ${s}.append_at_known_heads(p_expected jsonb, p_lock_space integer,
  p_offsets bigint[], p_streams text[], p_revisions bigint[], p_ids uuid[], p_types text[],
  p_versions integer[], p_occurred timestamptz[], p_reasons text[], p_correlations text[],
  p_causations text[], p_prev_hashes text[], p_hashes text[], p_data text, p_actors text,
  p_recorded_at timestamptz, p_heads jsonb, p_channel text)
RETURNS bigint
LANGUAGE plpgsql AS $fn$
DECLARE
  v_key integer;
  v_expected record;
  v_revision bigint;
  v_hash text;
  v_last_recorded timestamptz;
  v_first bigint;
BEGIN
  FOR v_key IN
    SELECT DISTINCT hashtext(x.s) FROM jsonb_to_recordset(p_expected) AS x(s text) ORDER BY 1
  LOOP
    PERFORM pg_advisory_xact_lock(p_lock_space, v_key);
  END LOOP;
  IF p_recorded_at > clock_timestamp() THEN
    RETURN NULL;
  END IF;
  FOR v_expected IN
    SELECT x.s, x.r, x.h FROM jsonb_to_recordset(p_expected) AS x(s text, r bigint, h text)
  LOOP
    SELECT h.revision, h.hash INTO v_revision, v_hash
      FROM ${s}.streams AS h WHERE h.stream_id = v_expected.s;
    IF v_expected.r IS NULL THEN
      IF FOUND AND v_revision >= 0 THEN
        RETURN NULL;
      END IF;
    ELSE
      IF NOT FOUND OR v_revision <> v_expected.r OR v_hash <> v_expected.h THEN
        RETURN NULL;
      END IF;
      SELECT e.recorded_at INTO v_last_recorded
        FROM ${s}.events AS e WHERE e.stream_id = v_expected.s AND e.revision = v_revision;
      IF v_last_recorded > p_recorded_at THEN
        RETURN NULL;
      END IF;
    END IF;
  END LOOP;
  SELECT r.first_position INTO v_first
    FROM ${s}.reserve_positions(cardinality(p_offsets)) AS r;
  PERFORM ${s}.finish_append_columns(
    ARRAY(SELECT v_first + o.p FROM unnest(p_offsets) WITH ORDINALITY AS o(p, n) ORDER BY o.n),
    p_streams, p_revisions, p_ids, p_types, p_versions, p_occurred, p_reasons, p_correlations,
    p_causations, p_prev_hashes, p_hashes, p_data, p_actors, p_recorded_at, p_heads, p_channel);
  RETURN v_first;
END
$fn$;
`,
    // append_at_known_heads writes the rows and heads itself. The nested call to
    // finish_append_columns (seventeen arguments copied), its length check run as a query and
    // the heads' UPDATE-then-INSERT loop were about a tenth of a lone append's time in
    // PostgreSQL (about 300 µs of its CPU before, 270 after). A group holds one append per
    // stream, so one upsert of the heads never meets a stream twice.
    `
CREATE OR REPLACE FUNCTION ${s}.append_at_known_heads(p_expected jsonb, p_lock_space integer,
  p_offsets bigint[], p_streams text[], p_revisions bigint[], p_ids uuid[], p_types text[],
  p_versions integer[], p_occurred timestamptz[], p_reasons text[], p_correlations text[],
  p_causations text[], p_prev_hashes text[], p_hashes text[], p_data text, p_actors text,
  p_recorded_at timestamptz, p_heads jsonb, p_channel text)
RETURNS bigint
LANGUAGE plpgsql AS $fn$
DECLARE
  v_key integer;
  v_expected record;
  v_revision bigint;
  v_hash text;
  v_last_recorded timestamptz;
  v_first bigint;
  v_data text[] := string_to_array(p_data, chr(30));
  v_actors text[] := string_to_array(p_actors, chr(30));
  v_events integer := cardinality(p_offsets);
BEGIN
  IF cardinality(p_streams) IS DISTINCT FROM v_events
    OR cardinality(p_revisions) IS DISTINCT FROM v_events
    OR cardinality(p_ids) IS DISTINCT FROM v_events
    OR cardinality(p_types) IS DISTINCT FROM v_events
    OR cardinality(p_versions) IS DISTINCT FROM v_events
    OR cardinality(p_occurred) IS DISTINCT FROM v_events
    OR cardinality(p_reasons) IS DISTINCT FROM v_events
    OR cardinality(p_correlations) IS DISTINCT FROM v_events
    OR cardinality(p_causations) IS DISTINCT FROM v_events
    OR cardinality(p_prev_hashes) IS DISTINCT FROM v_events
    OR cardinality(p_hashes) IS DISTINCT FROM v_events
    OR cardinality(v_data) IS DISTINCT FROM v_events
    OR cardinality(v_actors) IS DISTINCT FROM v_events THEN
    RAISE EXCEPTION 'append_at_known_heads: lists of different lengths for % events', v_events;
  END IF;
  FOR v_key IN
    SELECT DISTINCT hashtext(x.s) FROM jsonb_to_recordset(p_expected) AS x(s text) ORDER BY 1
  LOOP
    PERFORM pg_advisory_xact_lock(p_lock_space, v_key);
  END LOOP;
  IF p_recorded_at > clock_timestamp() THEN
    RETURN NULL;
  END IF;
  FOR v_expected IN
    SELECT x.s, x.r, x.h FROM jsonb_to_recordset(p_expected) AS x(s text, r bigint, h text)
  LOOP
    SELECT h.revision, h.hash INTO v_revision, v_hash
      FROM ${s}.streams AS h WHERE h.stream_id = v_expected.s;
    IF v_expected.r IS NULL THEN
      IF FOUND AND v_revision >= 0 THEN
        RETURN NULL;
      END IF;
    ELSE
      IF NOT FOUND OR v_revision <> v_expected.r OR v_hash <> v_expected.h THEN
        RETURN NULL;
      END IF;
      SELECT e.recorded_at INTO v_last_recorded
        FROM ${s}.events AS e WHERE e.stream_id = v_expected.s AND e.revision = v_revision;
      IF v_last_recorded > p_recorded_at THEN
        RETURN NULL;
      END IF;
    END IF;
  END LOOP;
  SELECT r.first_position INTO v_first FROM ${s}.reserve_positions(v_events) AS r;
  INSERT INTO ${s}.events (global_position, stream_id, revision, id, type, schema_version,
    occurred_at, recorded_at, actor, reason, correlation_id, causation_id, data, prev_hash, hash,
    transaction_id)
  SELECT v_first + e.o, e.s, e.r, e.id, e.type, e.v, e.oc, p_recorded_at, e.actor::jsonb, e.reason,
    e.c, e.k, e.data::jsonb, e.ph, e.h, pg_current_xact_id()
  FROM unnest(p_offsets, p_streams, p_revisions, p_ids, p_types, p_versions, p_occurred,
    p_reasons, p_correlations, p_causations, p_prev_hashes, p_hashes, v_data, v_actors)
    AS e(o, s, r, id, type, v, oc, reason, c, k, ph, h, data, actor);
  INSERT INTO ${s}.streams AS h (stream_id, revision, hash)
    SELECT x.stream_id, x.revision, x.hash
    FROM jsonb_to_recordset(p_heads) AS x(stream_id text, revision bigint, hash text)
  ON CONFLICT (stream_id) DO UPDATE
    SET revision = EXCLUDED.revision, hash = EXCLUDED.hash, updated_at = now();
  IF p_channel IS NOT NULL THEN
    PERFORM pg_notify(p_channel, '');
  END IF;
  RETURN v_first;
END
$fn$;
`,
  ];
}

/** How many migrations a store's schema has once up to date. */
export const MIGRATION_COUNT = migrations('eventstore').length;

/** Creates or upgrades the store's tables in `schema`; safe to run from many processes. */
export async function migrate(client: SqlClient, schema: string): Promise<void> {
  assertSchemaName(schema);
  const all = migrations(schema);
  await client.transaction(async (tx) => {
    // Concurrent first starts would race on CREATE ... IF NOT EXISTS.
    await tx.query(`SELECT pg_advisory_xact_lock(${lockKey(schema, 'migrations')})`);
    await tx.query(`CREATE SCHEMA IF NOT EXISTS ${schema}`);
    await tx.query(
      `CREATE TABLE IF NOT EXISTS ${schema}.schema_migrations (version integer PRIMARY KEY, applied_at timestamptz NOT NULL DEFAULT now())`,
    );
    const rows = await tx.query<{ version: number }>(
      `SELECT version FROM ${schema}.schema_migrations`,
    );
    const applied = new Set(rows.map((row) => Number(row.version)));
    for (const [index, script] of all.entries()) {
      const version = index + 1;
      if (applied.has(version)) continue;
      await tx.exec(script);
      await tx.query(`INSERT INTO ${schema}.schema_migrations (version) VALUES ($1)`, [version]);
    }
  });
}
