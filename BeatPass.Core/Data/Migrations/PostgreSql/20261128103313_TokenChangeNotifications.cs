using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace BeatPass.Core.Data.Migrations.PostgreSql
{
    /// <summary>
    /// Tells every node when an account's tokens or user row change: triggers send the account's id on the channel
    /// <c>beatpass_api_token_changes</c> (see ApiTokenChangeListener). pg_notify inside the changing transaction is
    /// delivered when it commits, dropped when it rolls back, and sent once per account however many rows change.
    /// Writes of only LastUsedAt or ExpiryNotice (bookkeeping, up to once a minute per token) notify no one.
    /// PostgreSQL only: on SQLite there is one node.
    /// </summary>
    public partial class TokenChangeNotifications : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.Sql("""
                CREATE FUNCTION beatpass_notify_token_change() RETURNS trigger LANGUAGE plpgsql AS $$
                BEGIN
                    IF TG_OP = 'UPDATE'
                       AND to_jsonb(OLD) - '{LastUsedAt,ExpiryNotice}'::text[] = to_jsonb(NEW) - '{LastUsedAt,ExpiryNotice}'::text[] THEN
                        RETURN NULL;
                    END IF;
                    IF TG_OP IN ('UPDATE', 'DELETE') THEN
                        PERFORM pg_notify('beatpass_api_token_changes', OLD."UserId");
                    END IF;
                    IF TG_OP IN ('INSERT', 'UPDATE') THEN
                        PERFORM pg_notify('beatpass_api_token_changes', NEW."UserId");
                    END IF;
                    RETURN NULL;
                END $$;

                CREATE TRIGGER "ApiTokens_notify_change" AFTER INSERT OR UPDATE OR DELETE ON "ApiTokens"
                    FOR EACH ROW EXECUTE FUNCTION beatpass_notify_token_change();

                CREATE FUNCTION beatpass_notify_user_change() RETURNS trigger LANGUAGE plpgsql AS $$
                BEGIN
                    PERFORM pg_notify('beatpass_api_token_changes', OLD."Id");
                    RETURN NULL;
                END $$;

                CREATE TRIGGER "AspNetUsers_notify_change" AFTER UPDATE OR DELETE ON "AspNetUsers"
                    FOR EACH ROW EXECUTE FUNCTION beatpass_notify_user_change();
                """);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.Sql("""
                DROP TRIGGER "AspNetUsers_notify_change" ON "AspNetUsers";
                DROP FUNCTION beatpass_notify_user_change();
                DROP TRIGGER "ApiTokens_notify_change" ON "ApiTokens";
                DROP FUNCTION beatpass_notify_token_change();
                """);
        }
    }
}
