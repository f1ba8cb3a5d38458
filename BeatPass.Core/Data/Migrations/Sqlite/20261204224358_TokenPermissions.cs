using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace BeatPass.Core.Data.Migrations.Sqlite
{
    /// <summary>
    /// Permissions on tokens (every existing token gets account:read, all the API allowed when it was made), revoked
    /// tokens, the hashes of rotated-away secrets, and audit events that say more and name the token an actor used.
    /// </summary>
    public partial class TokenPermissions : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<string>(
                name: "ActorTokenName",
                table: "AuditEvents",
                type: "TEXT",
                maxLength: 100,
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "Detail",
                table: "AuditEvents",
                type: "TEXT",
                maxLength: 500,
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "Permissions",
                table: "ApiTokens",
                type: "TEXT",
                maxLength: 2000,
                nullable: false,
                defaultValue: "");

            // Every token made so far could do all the API offered then: GET /api/v1/me.
            migrationBuilder.Sql("""UPDATE "ApiTokens" SET "Permissions" = 'account:read';""");

            migrationBuilder.AddColumn<DateTime>(
                name: "RevokedAt",
                table: "ApiTokens",
                type: "TEXT",
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "RevokedReason",
                table: "ApiTokens",
                type: "TEXT",
                maxLength: 500,
                nullable: true);

            migrationBuilder.CreateTable(
                name: "RetiredApiTokenSecrets",
                columns: table => new
                {
                    TokenHash = table.Column<byte[]>(type: "BLOB", maxLength: 32, nullable: false),
                    TokenId = table.Column<Guid>(type: "TEXT", nullable: false),
                    RetiredAt = table.Column<DateTime>(type: "TEXT", nullable: false)
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
