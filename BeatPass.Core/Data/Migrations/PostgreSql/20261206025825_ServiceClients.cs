using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace BeatPass.Core.Data.Migrations.PostgreSql
{
    /// <summary>
    /// The services that may introspect tokens, and which of them asked about a token last. A revoked service's row is
    /// deleted, and the deletion is announced on the token change channel as "service:&lt;id&gt;", so every node forgets
    /// the credentials it kept. LastUsedByService is bookkeeping like LastUsedAt: no notification.
    /// </summary>
    public partial class ServiceClients : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<string>(
                name: "LastUsedByService",
                table: "ApiTokens",
                type: "character varying(60)",
                maxLength: 60,
                nullable: true);

            migrationBuilder.CreateTable(
                name: "ServiceClients",
                columns: table => new
                {
                    Id = table.Column<Guid>(type: "uuid", nullable: false),
                    Name = table.Column<string>(type: "character varying(60)", maxLength: 60, nullable: false),
                    ClientId = table.Column<string>(type: "character varying(25)", maxLength: 25, nullable: false),
                    SecretHash = table.Column<byte[]>(type: "bytea", maxLength: 32, nullable: false),
                    CreatedAt = table.Column<DateTime>(type: "timestamp with time zone", nullable: false),
                    LastUsedAt = table.Column<DateTime>(type: "timestamp with time zone", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_ServiceClients", x => x.Id);
                });

            migrationBuilder.CreateIndex(
                name: "IX_ServiceClients_ClientId",
                table: "ServiceClients",
                column: "ClientId",
                unique: true);

            migrationBuilder.CreateIndex(
                name: "IX_ServiceClients_Name",
                table: "ServiceClients",
                column: "Name",
                unique: true);

            migrationBuilder.Sql("""
                CREATE OR REPLACE FUNCTION beatpass_notify_token_change() RETURNS trigger LANGUAGE plpgsql AS $$
                BEGIN
                    IF TG_OP = 'UPDATE'
                       AND to_jsonb(OLD) - '{LastUsedAt,LastUsedFrom,LastUsedUserAgent,LastUsedByService,ExpiryNotice}'::text[] = to_jsonb(NEW) - '{LastUsedAt,LastUsedFrom,LastUsedUserAgent,LastUsedByService,ExpiryNotice}'::text[] THEN
                        RETURN NULL;
                    END IF;
                    IF TG_OP IN ('UPDATE', 'DELETE') THEN
                        PERFORM pg_notify('beatpass_api_token_changes', OLD."UserId" || ' ' || (extract(epoch FROM transaction_timestamp()) * 1000)::bigint);
                    END IF;
                    IF TG_OP IN ('INSERT', 'UPDATE') THEN
                        PERFORM pg_notify('beatpass_api_token_changes', NEW."UserId" || ' ' || (extract(epoch FROM transaction_timestamp()) * 1000)::bigint);
                    END IF;
                    RETURN NULL;
                END $$;

                CREATE FUNCTION beatpass_notify_service_change() RETURNS trigger LANGUAGE plpgsql AS $$
                BEGIN
                    PERFORM pg_notify('beatpass_api_token_changes', 'service:' || OLD."Id" || ' ' || (extract(epoch FROM transaction_timestamp()) * 1000)::bigint);
                    RETURN NULL;
                END $$;

                CREATE TRIGGER "ServiceClients_notify_change" AFTER DELETE ON "ServiceClients"
                FOR EACH ROW EXECUTE FUNCTION beatpass_notify_service_change();
                """);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.Sql("""
                DROP TRIGGER "ServiceClients_notify_change" ON "ServiceClients";
                DROP FUNCTION beatpass_notify_service_change();
                CREATE OR REPLACE FUNCTION beatpass_notify_token_change() RETURNS trigger LANGUAGE plpgsql AS $$
                BEGIN
                    IF TG_OP = 'UPDATE'
                       AND to_jsonb(OLD) - '{LastUsedAt,LastUsedFrom,LastUsedUserAgent,ExpiryNotice}'::text[] = to_jsonb(NEW) - '{LastUsedAt,LastUsedFrom,LastUsedUserAgent,ExpiryNotice}'::text[] THEN
                        RETURN NULL;
                    END IF;
                    IF TG_OP IN ('UPDATE', 'DELETE') THEN
                        PERFORM pg_notify('beatpass_api_token_changes', OLD."UserId" || ' ' || (extract(epoch FROM transaction_timestamp()) * 1000)::bigint);
                    END IF;
                    IF TG_OP IN ('INSERT', 'UPDATE') THEN
                        PERFORM pg_notify('beatpass_api_token_changes', NEW."UserId" || ' ' || (extract(epoch FROM transaction_timestamp()) * 1000)::bigint);
                    END IF;
                    RETURN NULL;
                END $$;
                """);

            migrationBuilder.DropTable(
                name: "ServiceClients");

            migrationBuilder.DropColumn(
                name: "LastUsedByService",
                table: "ApiTokens");
        }
    }
}
