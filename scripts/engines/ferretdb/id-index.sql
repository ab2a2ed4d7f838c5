-- FerretDB 1.x over PostgreSQL keeps one table per collection, with a unique btree index on
-- (_jsonb -> '_id'), but finds a document by _id with `_jsonb -> '_id' @> $value`, which that
-- index cannot serve: every update and lookup by _id read the whole collection (13 ms at 5,000
-- documents, growing with it). MongoDB finds it through its _id index. A GIN index on the same
-- expression serves `@>`; this event trigger adds one to each table FerretDB creates, and the
-- DO block to tables created before it. Applied by scripts/engines.sh to the database `ferretdb`.

SET client_min_messages = warning;

CREATE OR REPLACE FUNCTION pcp_ferretdb_id_index(target regclass) RETURNS void
LANGUAGE plpgsql AS $$
BEGIN
  IF EXISTS (SELECT 1 FROM pg_attribute
             WHERE attrelid = target AND attname = '_jsonb' AND NOT attisdropped) THEN
    -- named by the table's oid: FerretDB's table names are long enough to clash when cut to 63
    EXECUTE format('CREATE INDEX IF NOT EXISTS %I ON %s USING gin ((_jsonb -> ''_id'') jsonb_path_ops)',
                   'pcp_id_gin_' || target::oid, target);
  END IF;
END $$;

CREATE OR REPLACE FUNCTION pcp_ferretdb_id_index_on_create() RETURNS event_trigger
LANGUAGE plpgsql AS $$
DECLARE created record;
BEGIN
  FOR created IN SELECT objid FROM pg_event_trigger_ddl_commands()
                 WHERE command_tag = 'CREATE TABLE' AND object_type = 'table' LOOP
    PERFORM pcp_ferretdb_id_index(created.objid::regclass);
  END LOOP;
END $$;

DROP EVENT TRIGGER IF EXISTS pcp_ferretdb_id_index;
CREATE EVENT TRIGGER pcp_ferretdb_id_index ON ddl_command_end WHEN TAG IN ('CREATE TABLE')
  EXECUTE FUNCTION pcp_ferretdb_id_index_on_create();

DO $$
DECLARE existing record;
BEGIN
  FOR existing IN SELECT c.oid FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
                  WHERE c.relkind = 'r' AND n.nspname NOT IN ('pg_catalog', 'information_schema') LOOP
    PERFORM pcp_ferretdb_id_index(existing.oid::regclass);
  END LOOP;
END $$;

-- The key is a parameter in FerretDB's statements (`_jsonb -> $1`): a generic plan would not
-- match the index expression, so each execution is planned with its values.
ALTER DATABASE ferretdb SET plan_cache_mode = force_custom_plan;
