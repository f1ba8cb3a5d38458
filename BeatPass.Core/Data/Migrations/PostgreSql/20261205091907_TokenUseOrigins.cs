using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace BeatPass.Core.Data.Migrations.PostgreSql
{
    /// <summary>
    /// Where each token was last used from (its last few client addresses) and with what (its last user agent), written
    /// with its last use. Like LastUsedAt, they are bookkeeping: writing them notifies no node (see
    /// TokenChangeNotifications), so the token function's list of columns to ignore grows by two.
    /// </summary>
    public partial class TokenUseOrigins : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<string>(
                name: "LastUsedFrom",
                table: "ApiTokens",
                type: "character varying(230)",
                maxLength: 230,
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "LastUsedUserAgent",
                table: "ApiTokens",
                type: "character varying(256)",
                maxLength: 256,
                nullable: true);

            migrationBuilder.Sql("""
                CREATE OR REPLACE FUNCTION beatpass_notify_token_change() RETURNS trigger LANGUAGE plpgsql AS $$
                BEGIN
                    IF TG_OP = 'UPDATE'
                       AND to_jsonb(OLD) - '{LastUsedAt,LastUsedFrom,LastUsedUserAgent,ExpiryNotice}'::text[] = to_jsonb(NEW) - '{LastUsedAt,LastUsedFrom,LastUsedUserAgent,ExpiryNotice}'::text[] THEN
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
                """);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.Sql("""
                CREATE OR REPLACE FUNCTION beatpass_notify_token_change() RETURNS trigger LANGUAGE plpgsql AS $$
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
                """);

            migrationBuilder.DropColumn(
                name: "LastUsedFrom",
                table: "ApiTokens");

            migrationBuilder.DropColumn(
                name: "LastUsedUserAgent",
                table: "ApiTokens");
        }
    }
}
