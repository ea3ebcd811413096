"""Published releases and their files can never change: any UPDATE or DELETE is refused by the
database itself, whatever code (or person at a SQL prompt) tries it."""

from django.db import migrations

FORWARD = """
CREATE FUNCTION opendata_refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'published releases are immutable (% on %)', TG_OP, TG_TABLE_NAME
        USING ERRCODE = 'integrity_constraint_violation';
END;
$$;
CREATE TRIGGER opendata_release_immutable BEFORE UPDATE OR DELETE ON opendata_release
    FOR EACH ROW EXECUTE FUNCTION opendata_refuse_change();
CREATE TRIGGER opendata_releasefile_immutable BEFORE UPDATE OR DELETE ON opendata_releasefile
    FOR EACH ROW EXECUTE FUNCTION opendata_refuse_change();
"""

BACKWARD = """
DROP TRIGGER opendata_releasefile_immutable ON opendata_releasefile;
DROP TRIGGER opendata_release_immutable ON opendata_release;
DROP FUNCTION opendata_refuse_change();
"""


class Migration(migrations.Migration):
    dependencies = [("opendata", "0001_catalogue_releases_access")]

    operations = [migrations.RunSQL(FORWARD, BACKWARD)]
