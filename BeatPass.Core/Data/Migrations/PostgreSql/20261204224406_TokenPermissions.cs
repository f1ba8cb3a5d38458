using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace BeatPass.Core.Data.Migrations.PostgreSql
{
    /// <summary>
    /// Permissions on tokens (every existing token gets account:read, all the API allowed when it was made), revoked
    /// tokens, the hashes of rotated-away secrets, and audit events that say more and name the token an actor used.
    /// On PostgreSQL, a change to an account's roles now notifies every node too, as changes to its tokens and user
    /// row do (see TokenChangeNotifications): taking the Staff role away ends the tokens' staff-only permissions.
    /// </summary>
    public partial class TokenPermissions : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<string>(
                name: "ActorTokenName",
                table: "AuditEvents",
                type: "character varying(100)",
                maxLength: 100,
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "Detail",
                table: "AuditEvents",
                type: "character varying(500)",
                maxLength: 500,
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "Permissions",
                table: "ApiTokens",
                type: "character varying(2000)",
                maxLength: 2000,
                nullable: false,
                defaultValue: "");

            // Every token made so far could do all the API offered then: GET /api/v1/me.
            migrationBuilder.Sql("""UPDATE "ApiTokens" SET "Permissions" = 'account:read';""");

            migrationBuilder.Sql("""
                CREATE FUNCTION beatpass_notify_role_change() RETURNS trigger LANGUAGE plpgsql AS $$
                BEGIN
                    IF TG_OP IN ('UPDATE', 'DELETE') THEN
                        PERFORM pg_notify('beatpass_api_token_changes', OLD."UserId");
                    END IF;
                    IF TG_OP IN ('INSERT', 'UPDATE') THEN
                        PERFORM pg_notify('beatpass_api_token_changes', NEW."UserId");
                    END IF;
                    RETURN NULL;
                END $$;

                CREATE TRIGGER "AspNetUserRoles_notify_change" AFTER INSERT OR UPDATE OR DELETE ON "AspNetUserRoles"
                    FOR EACH ROW EXECUTE FUNCTION beatpass_notify_role_change();
                """);

            migrationBuilder.AddColumn<DateTime>(
                name: "RevokedAt",
                table: "ApiTokens",
                type: "timestamp with time zone",
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "RevokedReason",
                table: "ApiTokens",
                type: "character varying(500)",
                maxLength: 500,
                nullable: true);

            migrationBuilder.CreateTable(
                name: "RetiredApiTokenSecrets",
                columns: table => new
                {
                    TokenHash = table.Column<byte[]>(type: "bytea", maxLength: 32, nullable: false),
                    TokenId = table.Column<Guid>(type: "uuid", nullable: false),
                    RetiredAt = table.Column<DateTime>(type: "timestamp with time zone", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_RetiredApiTokenSecrets", x => x.TokenHash);
                    table.ForeignKey(
                        name: "FK_RetiredApiTokenSecrets_ApiTokens_TokenId",
                        column: x => x.TokenId,
                        principalTable: "ApiTokens",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateIndex(
                name: "IX_RetiredApiTokenSecrets_TokenId",
                table: "RetiredApiTokenSecrets",
                column: "TokenId");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.Sql("""
                DROP TRIGGER "AspNetUserRoles_notify_change" ON "AspNetUserRoles";
                DROP FUNCTION beatpass_notify_role_change();
                """);

            migrationBuilder.DropTable(
                name: "RetiredApiTokenSecrets");

            migrationBuilder.DropColumn(
                name: "ActorTokenName",
                table: "AuditEvents");

            migrationBuilder.DropColumn(
                name: "Detail",
                table: "AuditEvents");

            migrationBuilder.DropColumn(
                name: "Permissions",
                table: "ApiTokens");

            migrationBuilder.DropColumn(
                name: "RevokedAt",
                table: "ApiTokens");

            migrationBuilder.DropColumn(
                name: "RevokedReason",
                table: "ApiTokens");
        }
    }
}
